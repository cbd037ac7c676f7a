/**
 * Types for `fast-json-parse` (ships none). `parse(text)` runs `JSON.parse` inside its own
 * try/catch and never throws: on success `err` is null and `value` holds the result; on failure
 * `err` is the SyntaxError/RangeError and `value` is null.
 */
declare module 'fast-json-parse' {
  interface FastJsonParseResult {
    err: Error | null;
    value: unknown;
  }
  function parse(text: string): FastJsonParseResult;
  export default parse;
}
