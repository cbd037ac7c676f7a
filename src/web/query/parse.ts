/**
 * The search query language of the web page (`q=`): a tokenizer and a recursive-descent parser
 * from the query text to a {@link QueryNode} tree (compiled by match.ts).
 *
 * Grammar (whitespace = ASCII space, tab, CR, LF, FF, VT; keywords are uppercase only):
 * ```
 * query   := or?                                   (blank → null: every line)
 * or      := and ( 'OR' and )*
 * and     := unary ( 'AND'? unary )*
 * unary   := ( '-' | 'NOT' ) unary | primary       ('-' written right before its operand)
 * primary := '(' or ')' | term
 * term    := word | phrase | name ':' value
 * value   := word | phrase
 * ```
 * - A word is a run of characters other than whitespace, `(`, `)` and `"` (so `a(b)` is
 *   `a AND (b)`; quote text that has parentheses or quotes in it). `AND`, `OR`, `NOT` standing
 *   alone are keywords; `and`, `or`, `not`, `"OR"` are words.
 * - A phrase is `"…"` with the escapes `\"` and `\\`; a backslash before any other character is
 *   kept as is (`"C:\temp"` is the text `C:\temp`). An unterminated phrase is an error at its
 *   opening quote; an empty bare phrase `""` is an error (as a field value it is the empty text).
 * - A bare word or phrase is a substring test (match.ts). In an unquoted bare word, leading and
 *   trailing `*` are dropped (substring matching already implies them): `time*` = `time`; a word
 *   of only `*` matches every line. A `*` inside a word, or any `*` in a phrase, is literal.
 * - A word is a field term `name:value` when the part before its first `:` is a field name
 *   (`[A-Za-z_@][A-Za-z0-9_.@-]*`) and what follows the `:` does not start with `//`; anything
 *   else with a colon is an ordinary word: `12:30:05`, `:foo`, `::1`, `http://x/y`. The value is the
 *   rest of the word (it may contain more colons: `host:fe80::1`, `url:http://x`) or, when the
 *   word ends at the colon, a phrase right after it (`host:"web 01"`); nothing there is an error
 *   at the value position (`error: disk` is an error; write `"error:" disk`).
 * - Reserved names (lowercase only; `Host:` is a CEE key): `host`, `program`, `msgid`, `procid`,
 *   `severity`, `facility`, and `sd.<id>.<param>` (split at the last dot; both parts non-empty).
 *   Every other name is a CEE key, a dotted name a path (`user.name`).
 * - Field values: an unquoted value ending in `*` is a prefix (`host:web-*`; `x:*` = x is present
 *   and a string, number or boolean); a quoted value is literal. `severity:` / `facility:` take an
 *   optional operator `<`, `<=`, `>`, `>=`, `=` then a number or name (also inside quotes).
 * - `-x` and `NOT x` negate; `--x` is `x`. Parentheses nest at most {@link MAX_DEPTH} deep; a
 *   query longer than {@link MAX_QUERY_LENGTH} characters is an error at that index.
 *
 * Errors are {@link QuerySyntaxError}s whose `position` is a 0-based UTF-16 index into the query
 * (0 ≤ position ≤ query length).
 */
import { parseSeverity, StoreOptionError } from '../../store/filter.js';

/** Longest query accepted, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 4096;
/** Deepest parenthesis nesting accepted. */
export const MAX_DEPTH = 64;

/** A syntax error in a query; `position` is the 0-based index into the query string where it was found. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
  /** 0-based UTF-16 index into the query (0 … query length). */
  readonly position: number;
  /**
   * @param message what is wrong, for the user
   * @param position where in the query (0-based index)
   */
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

/** The comparison of a `severity:` / `facility:` term. */
export type LevelOp = '<' | '<=' | '>' | '>=' | '=';

/** The string a field term tests. */
export type FieldRef =
  /** `host:` — hostname, or source.address when hostname is null (LineView#host). */
  | { readonly kind: 'host' }
  /** `program:` / `msgid:` / `procid:` — a top-level string field (LineView#str). */
  | { readonly kind: 'str'; readonly field: 'appName' | 'msgId' | 'procId' }
  /** `sd.<id>.<param>:` — `structuredData[id][param]`. */
  | { readonly kind: 'sd'; readonly id: string; readonly param: string }
  /** Any other name: the CEE / record key `name`, or the path `name.split('.')`. */
  | { readonly kind: 'cee'; readonly name: string; readonly path: readonly string[] };

/**
 * A parsed query. Strings are the query's own (JS) text; match.ts turns them into byte strings.
 * `position` is where the term starts in the query.
 */
export type QueryNode =
  | { readonly kind: 'and'; readonly children: readonly QueryNode[] }
  | { readonly kind: 'or'; readonly children: readonly QueryNode[] }
  | { readonly kind: 'not'; readonly child: QueryNode }
  /** Every line (`*`). */
  | { readonly kind: 'all' }
  /** A bare word or phrase: a substring of message, hostname or appName. */
  | { readonly kind: 'text'; readonly text: string; readonly position: number }
  /** `name:value`: equality, or a prefix when `prefix`. */
  | { readonly kind: 'field'; readonly field: FieldRef; readonly value: string; readonly prefix: boolean; readonly position: number }
  /** `severity:` / `facility:` with a comparison against `value`. */
  | { readonly kind: 'level'; readonly field: 'severity' | 'facility'; readonly op: LevelOp; readonly value: number; readonly position: number };

/** Facility names (RFC 5424 §6.2.1, syslog.conf spellings). */
const FACILITY_NAMES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10,
  ftp: 11, ntp: 12, security: 13, audit: 13, console: 14, alert: 14, 'solaris-cron': 15, clock: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;

type Token =
  | { readonly t: 'word'; readonly pos: number; readonly text: string }
  | { readonly t: 'phrase'; readonly pos: number; readonly text: string }
  | { readonly t: 'field'; readonly pos: number; readonly name: string; readonly value: string; readonly quoted: boolean; readonly valuePos: number }
  | { readonly t: 'and' | 'or' | 'not' | 'minus' | 'lparen' | 'rparen' | 'end'; readonly pos: number };

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** A word ends at whitespace, `(`, `)`, `"` or the end. */
function isWordEnd(c: number): boolean {
  return Number.isNaN(c) || isSpace(c) || c === 0x28 || c === 0x29 || c === 0x22;
}

/** Splits the query into tokens (the last one is `end`). */
function tokenize(q: string): Token[] {
  const out: Token[] = [];
  const n = q.length;
  let i = 0;
  while (true) {
    while (i < n && isSpace(q.charCodeAt(i))) i++;
    if (i >= n) break;
    const c = q.charCodeAt(i);
    if (c === 0x28) out.push({ t: 'lparen', pos: i++ });
    else if (c === 0x29) out.push({ t: 'rparen', pos: i++ });
    else if (c === 0x22) {
      const [text, next] = readPhrase(q, i);
      out.push({ t: 'phrase', pos: i, text });
      i = next;
    } else if (c === 0x2d) {
      // `-` right before an operand; a `-` on its own is an error
      const d = q.charCodeAt(i + 1);
      if (Number.isNaN(d) || isSpace(d) || d === 0x29) throw new QuerySyntaxError('"-" must be written right before the term it negates', i);
      out.push({ t: 'minus', pos: i++ });
    } else {
      const start = i;
      while (!isWordEnd(q.charCodeAt(i))) i++;
      const word = q.slice(start, i);
      if (word === 'AND') out.push({ t: 'and', pos: start });
      else if (word === 'OR') out.push({ t: 'or', pos: start });
      else if (word === 'NOT') out.push({ t: 'not', pos: start });
      else {
        const colon = word.indexOf(':');
        const name = colon > 0 ? word.slice(0, colon) : '';
        if (colon > 0 && FIELD_NAME.test(name) && !word.startsWith('//', colon + 1)) {
          const valuePos = start + colon + 1;
          if (valuePos < i) out.push({ t: 'field', pos: start, name, value: word.slice(colon + 1), quoted: false, valuePos });
          else if (q.charCodeAt(i) === 0x22) {
            const [text, next] = readPhrase(q, i);
            out.push({ t: 'field', pos: start, name, value: text, quoted: true, valuePos: i });
            i = next;
          } else throw new QuerySyntaxError(`"${name}:" needs a value (quote it to search for the text "${name}:")`, valuePos);
        } else out.push({ t: 'word', pos: start, text: word });
      }
    }
  }
  out.push({ t: 'end', pos: n });
  return out;
}

/** Reads the phrase whose opening quote is at `open`: its text and the index after the closing quote. */
function readPhrase(q: string, open: number): [string, number] {
  let text = '';
  let seg = open + 1;
  for (let i = open + 1; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (c === 0x22) return [text + q.slice(seg, i), i + 1];
    if (c === 0x5c) {
      const d = q.charCodeAt(i + 1);
      if (d === 0x22 || d === 0x5c) {
        text += q.slice(seg, i);
        seg = i + 1; // keep the escaped character
      }
      i++;
    }
  }
  throw new QuerySyntaxError('unterminated quote', open);
}

/** Parses the tokens into a tree; keeps the cursor and the nesting depth. */
class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly toks: readonly Token[]) {}

  parse(): QueryNode | null {
    if (this.peek().t === 'end') return null;
    const node = this.or();
    const t = this.peek();
    if (t.t === 'rparen') throw new QuerySyntaxError('unmatched ")"', t.pos);
    if (t.t !== 'end') throw new QuerySyntaxError('unexpected token', t.pos); // unreachable: and() takes every other token
    return node;
  }

  private peek(): Token {
    return this.toks[this.i];
  }

  private or(): QueryNode {
    const first = this.peek();
    if (first.t === 'or') throw new QuerySyntaxError('"OR" needs a term before it', first.pos);
    const children = [this.and()];
    while (this.peek().t === 'or') {
      const op = this.toks[this.i++];
      const t = this.peek();
      if (!startsUnary(t)) throw new QuerySyntaxError('"OR" needs a term after it', t.t === 'end' || t.t === 'rparen' ? op.pos : t.pos);
      children.push(this.and());
    }
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private and(): QueryNode {
    const children = [this.unary()];
    while (true) {
      const t = this.peek();
      if (t.t === 'and') {
        this.i++;
        const u = this.peek();
        if (!startsUnary(u)) throw new QuerySyntaxError('"AND" needs a term after it', u.t === 'end' || u.t === 'rparen' || u.t === 'or' ? t.pos : u.pos);
      } else if (!startsUnary(t)) break;
      children.push(this.unary());
    }
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private unary(): QueryNode {
    // negations are counted, not recursed into (a long `- - - …` run cannot blow the stack)
    let negate = false;
    for (let t = this.peek(); t.t === 'minus' || t.t === 'not'; t = this.peek()) {
      this.i++;
      const u = this.peek();
      if (!startsUnary(u)) throw new QuerySyntaxError(`"${t.t === 'minus' ? '-' : 'NOT'}" needs a term after it`, u.t === 'end' || u.t === 'rparen' ? t.pos : u.pos);
      negate = !negate;
    }
    const node = this.primary();
    return negate ? { kind: 'not', child: node } : node;
  }

  private primary(): QueryNode {
    const t = this.toks[this.i++];
    switch (t.t) {
      case 'lparen': {
        if (++this.depth > MAX_DEPTH) throw new QuerySyntaxError(`parentheses nested deeper than ${MAX_DEPTH}`, t.pos);
        const inner = this.peek();
        if (inner.t === 'rparen') throw new QuerySyntaxError('empty parentheses', inner.pos);
        if (inner.t === 'end') throw new QuerySyntaxError('unclosed "("', t.pos);
        const node = this.or();
        const close = this.peek();
        if (close.t !== 'rparen') throw new QuerySyntaxError('unclosed "("', t.pos);
        this.i++;
        this.depth--;
        return node;
      }
      case 'word': {
        let a = 0;
        let b = t.text.length;
        while (a < b && t.text.charCodeAt(a) === 0x2a) a++;
        while (b > a && t.text.charCodeAt(b - 1) === 0x2a) b--;
        return a === b ? { kind: 'all' } : { kind: 'text', text: t.text.slice(a, b), position: t.pos + a };
      }
      case 'phrase':
        if (t.text === '') throw new QuerySyntaxError('empty phrase', t.pos);
        return { kind: 'text', text: t.text, position: t.pos };
      case 'field':
        return fieldTerm(t.name, t.value, t.quoted, t.pos, t.valuePos);
      case 'rparen':
        throw new QuerySyntaxError('unmatched ")"', t.pos);
      case 'and':
      case 'or':
        throw new QuerySyntaxError(`"${t.t.toUpperCase()}" needs a term before it`, t.pos);
      default:
        throw new QuerySyntaxError('expected a term', t.pos);
    }
  }
}

function startsUnary(t: Token): boolean {
  return t.t === 'word' || t.t === 'phrase' || t.t === 'field' || t.t === 'lparen' || t.t === 'minus' || t.t === 'not';
}

/** The node of one `name:value` term. */
function fieldTerm(name: string, raw: string, quoted: boolean, pos: number, valuePos: number): QueryNode {
  if (name === 'severity' || name === 'facility') return levelTerm(name, raw, pos, quoted ? valuePos + 1 : valuePos);
  let field: FieldRef;
  if (name === 'host') field = { kind: 'host' };
  else if (name === 'program') field = { kind: 'str', field: 'appName' };
  else if (name === 'msgid') field = { kind: 'str', field: 'msgId' };
  else if (name === 'procid') field = { kind: 'str', field: 'procId' };
  else if (name.startsWith('sd.')) {
    const rest = name.slice(3);
    const dot = rest.lastIndexOf('.');
    if (dot <= 0 || dot === rest.length - 1) throw new QuerySyntaxError('a structured-data field is written sd.<id>.<param> (e.g. sd.origin.ip)', pos);
    field = { kind: 'sd', id: rest.slice(0, dot), param: rest.slice(dot + 1) };
  } else field = { kind: 'cee', name, path: name.split('.') };
  const prefix = !quoted && raw.endsWith('*');
  return { kind: 'field', field, value: prefix ? raw.slice(0, -1) : raw, prefix, position: pos };
}

/**
 * `severity:` / `facility:`: an optional operator, then a number or name.
 * @param valuePos index of `raw`'s first character in the query (after the quote of a quoted value)
 */
function levelTerm(name: 'severity' | 'facility', raw: string, pos: number, valuePos: number): QueryNode {
  let op: LevelOp = '=';
  let k = 0;
  const c0 = raw.charCodeAt(0);
  if (c0 === 0x3c || c0 === 0x3e) {
    // < > optionally followed by =
    k = raw.charCodeAt(1) === 0x3d ? 2 : 1;
    op = raw.slice(0, k) as LevelOp;
  } else if (c0 === 0x3d) k = 1;
  const text = raw.slice(k);
  const at = valuePos + k;
  if (text === '') throw new QuerySyntaxError(`"${name}:" needs a ${name} after "${raw}"`, Math.min(at, valuePos + raw.length));
  let value: number;
  if (name === 'severity') {
    try {
      value = parseSeverity(text);
    } catch (err) {
      if (err instanceof StoreOptionError) throw new QuerySyntaxError(err.message, at);
      throw err;
    }
  } else {
    const s = text.trim().toLowerCase();
    if (/^\d{1,2}$/.test(s) && Number(s) <= 23) value = Number(s);
    else if (Object.hasOwn(FACILITY_NAMES, s)) value = FACILITY_NAMES[s];
    else throw new QuerySyntaxError(`invalid facility "${text}": use 0-23 or a name such as kern, user, daemon, auth, local0 … local7`, at);
  }
  return { kind: 'level', field: name, op, value, position: pos };
}

/**
 * Parses a query into its tree.
 * @returns the tree, or null for a blank query (every line matches)
 * @throws QuerySyntaxError for a query that is not valid (see the module comment), including one
 *   longer than {@link MAX_QUERY_LENGTH} (position {@link MAX_QUERY_LENGTH})
 */
export function parseQuery(q: string): QueryNode | null {
  if (q.length > MAX_QUERY_LENGTH) throw new QuerySyntaxError(`query longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  return new Parser(tokenize(q)).parse();
}

/**
 * A compact, unambiguous text form of a tree, for tests and debugging:
 * `(or (and "a" "b") "c")`, `(not "x")`, `host="web"`, `host^="web-"` (prefix),
 * `sd[origin][ip]="1"`, `cee[user.name]="ann"`, `severity<=4`, `*`; null → `*`.
 */
export function describeQuery(node: QueryNode | null): string {
  if (node === null) return '*';
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind} ${node.children.map(describeQuery).join(' ')})`;
    case 'not':
      return `(not ${describeQuery(node.child)})`;
    case 'all':
      return '*';
    case 'text':
      return JSON.stringify(node.text);
    case 'level':
      return `${node.field}${node.op}${node.value}`;
    case 'field': {
      const f = node.field;
      const name = f.kind === 'host' ? 'host' : f.kind === 'str' ? f.field : f.kind === 'sd' ? `sd[${f.id}][${f.param}]` : `cee[${f.name}]`;
      return `${name}${node.prefix ? '^=' : '='}${JSON.stringify(node.value)}`;
    }
  }
}
