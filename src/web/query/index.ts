/**
 * The web search query language (`q=`): {@link compileQuery} turns a query into a per-line
 * predicate over a {@link LineView} plus a raw-line prefilter; {@link QuerySyntaxError} says
 * where a query is wrong. Syntax: parse.ts; semantics and the prefilter: match.ts; views and
 * byte strings: view.ts.
 */
export { QuerySyntaxError } from './parse.js';
export { compileQuery, type CompiledQuery } from './match.js';
export { recordView, toByteString, type LineView } from './view.js';
