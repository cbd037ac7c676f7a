/**
 * Compiles a parsed query (parse.ts) into a per-line predicate over a {@link LineView} and a
 * prefilter over the raw stored line ({@link compileQuery}).
 *
 * Matching happens in byte-string space (view.ts): ASCII letters fold, every other byte is
 * compared exactly. Everything is built once here: case-folding regexes use explicit classes
 * (`[Aa]`, `\xHH` for every other byte, never the `i` flag, which would fold non-ASCII letters
 * too), texts without ASCII letters use `includes` / `===` / `startsWith`; `match` allocates no
 * closure and builds no regex per line.
 *
 * Semantics:
 * - text (bare word / phrase): a substring of `hostname`, `appName` or `message`.
 * - `host:`, `program:`, `msgid:`, `procid:`, `sd.<id>.<param>:`, CEE keys: the field's text
 *   equals the value (ASCII case-insensitively), or starts with it for a prefix. A CEE number or
 *   boolean is compared as its JSON text (`count:42`, `ok:true`, `count:4*`); null, objects,
 *   arrays and absent keys never match. A CEE name is read as a path (`user.name` →
 *   `record.user.name`, own properties only); when that finds no match and the record has a
 *   top-level key spelled with the dots (`"user.name"`), that key is tried too. The names
 *   `message`, `hostname`, `appName`, `msgId`, `procId` are read through {@link LineView.str}.
 * - `severity:` / `facility:`: the record's number compared with the operator; no number → no match.
 * - `*` matches every line; a query that reduces to it (`*`, `a OR *`) is {@link CompiledQuery.matchAll}.
 * - AND / OR children are tested cheapest first (numbers, then fixed fields, then texts, then
 *   what needs the parsed record); they have no side effects, so the order is not observable.
 *
 * Prefilter soundness: our writer stores a string as its UTF-8 bytes except `"`, `\`, control
 * characters (escaped) and lone surrogates (escaped; a view shows them as U+FFFD). A literal free
 * of those therefore appears in the raw line whenever it appears in a decoded string field; a
 * number or boolean appears as its JSON text. So each positive term yields a required literal,
 * and the prefilter is an alternation of literals at least one of which every matching line
 * contains.
 */
import { parseQuery, type FieldRef, type QueryNode } from './parse.js';
import { toByteString, type LineStrField, type LineView } from './view.js';

/** A compiled query: what the scanner runs per stored line. */
export interface CompiledQuery {
  /** The query text it was compiled from. */
  readonly source: string;
  /** true for an empty/blank query: matches every line (callers skip matching) */
  readonly matchAll: boolean;
  /** Whether the line matches; never throws (a missing or mistyped field just does not match). */
  match(view: LineView): boolean;
  /**
   * A global (`g`) RegExp over the raw stored JSON line as a byte string, such that EVERY line
   * the query matches contains at least one match of it (a necessary condition; false positives
   * are fine); null when no such literal is safe. Shared: callers set `lastIndex` before `exec`.
   */
  readonly prefilter: RegExp | null;
}

/** Most alternatives a prefilter may have; with more, there is none. */
const MAX_ALTERNATIVES = 16;

type Pred = (v: LineView) => boolean;

/** A compiled node: its predicate (or a constant), its cost rank, and its required literals. */
interface Compiled {
  /** true / false: the node is constant; then `pred` is unused. */
  readonly constant: boolean | null;
  readonly pred: Pred;
  /** Rough cost of `pred`, to order AND / OR children. */
  readonly cost: number;
  /** Byte-string literals at least one of which every matching line's raw text contains; null: none known. */
  readonly req: readonly string[] | null;
}

const TRUE: Compiled = { constant: true, pred: () => true, cost: 0, req: null };
const FALSE: Compiled = { constant: false, pred: () => false, cost: 0, req: null };

const COST_LEVEL = 1;
const COST_FIELD = 2;
const COST_TEXT = 3;
const COST_RECORD = 10;

/**
 * Compiles a query (syntax: parse.ts; semantics: this module's comment). Everything `match`
 * needs (regexes, byte strings, the predicate tree) is built here, once.
 * @param q the query text (at most 4096 characters)
 * @returns the compiled query: `matchAll` for a blank query or one that reduces to `*`, `match`
 *   for one line, `prefilter` (a `g` regex over the raw line's bytes, or null)
 * @throws QuerySyntaxError when `q` is not a valid query, with the 0-based index of the problem
 */
export function compileQuery(q: string): CompiledQuery {
  const node = parseQuery(q);
  const c = node === null ? TRUE : compile(node);
  const req = c.req;
  const prefilter = c.constant === null && req !== null && req.length <= MAX_ALTERNATIVES
    ? new RegExp(req.map(caseFoldPattern).join('|'), 'g')
    : null;
  return { source: q, matchAll: c.constant === true, match: c.pred, prefilter };
}

function compile(n: QueryNode): Compiled {
  switch (n.kind) {
    case 'all':
      return TRUE;
    case 'not': {
      const c = compile(n.child);
      if (c.constant !== null) return c.constant ? FALSE : TRUE;
      const p = c.pred;
      return { constant: null, pred: (v) => !p(v), cost: c.cost, req: null };
    }
    case 'and':
    case 'or':
      return compileList(n.kind, n.children);
    case 'text':
      return textTerm(toByteString(n.text));
    case 'level':
      return levelTerm(n.field, n.op, n.value);
    case 'field':
      return fieldTerm(n.field, toByteString(n.value), n.prefix);
  }
}

function compileList(kind: 'and' | 'or', nodes: readonly QueryNode[]): Compiled {
  const isAnd = kind === 'and';
  const kids: Compiled[] = [];
  for (const node of nodes) {
    const c = compile(node);
    if (c.constant === null) kids.push(c);
    else if (c.constant !== isAnd) return c; // false in an AND, true in an OR decides it
  }
  if (kids.length === 0) return isAnd ? TRUE : FALSE;
  if (kids.length === 1) return kids[0];
  kids.sort((a, b) => a.cost - b.cost);
  const preds = kids.map((k) => k.pred);
  const cost = kids.reduce((s, k) => s + k.cost, 0);
  const req = isAnd ? bestRequirement(kids) : unionRequirement(kids);
  let pred: Pred;
  if (preds.length === 2) {
    const [a, b] = preds;
    pred = isAnd ? (v) => a(v) && b(v) : (v) => a(v) || b(v);
  } else if (isAnd) {
    pred = (v) => {
      for (let i = 0; i < preds.length; i++) if (!preds[i](v)) return false;
      return true;
    };
  } else {
    pred = (v) => {
      for (let i = 0; i < preds.length; i++) if (preds[i](v)) return true;
      return false;
    };
  }
  return { constant: null, pred, cost, req };
}

/** How selective a requirement is: its shortest literal's length; -1 when unusable. */
function score(req: readonly string[] | null): number {
  if (req === null || req.length > MAX_ALTERNATIVES) return -1;
  let m = Infinity;
  for (const l of req) m = Math.min(m, l.length);
  return m;
}

/** AND: any one child's requirement is necessary; take the most selective (longest shortest literal, then fewest alternatives). */
function bestRequirement(kids: readonly Compiled[]): readonly string[] | null {
  let best: readonly string[] | null = null;
  let bestScore = -1;
  for (const k of kids) {
    const s = score(k.req);
    if (s > bestScore || (s === bestScore && s >= 0 && k.req !== null && best !== null && k.req.length < best.length)) {
      best = k.req;
      bestScore = s;
    }
  }
  return bestScore < 0 ? null : best;
}

/** OR: the union of every child's requirement; none when a child has none. */
function unionRequirement(kids: readonly Compiled[]): readonly string[] | null {
  const all: string[] = [];
  for (const k of kids) {
    if (k.req === null) return null;
    all.push(...k.req);
  }
  return minimizeLiterals(all);
}

/**
 * Drops literals that are redundant in an alternation: duplicates, and any literal containing
 * another one (ASCII-case-insensitively): a line containing the longer contains the shorter.
 */
function minimizeLiterals(lits: readonly string[]): string[] {
  const folded = lits.map(asciiLower);
  const keep: string[] = [];
  for (let i = 0; i < lits.length; i++) {
    let redundant = false;
    for (let j = 0; j < lits.length && !redundant; j++) {
      if (i === j) continue;
      const a = folded[i];
      const b = folded[j];
      // b inside a makes a redundant; of two equal ones keep the first
      if (a.includes(b) && (a.length > b.length || j < i)) redundant = true;
    }
    if (!redundant) keep.push(lits[i]);
  }
  return keep;
}

/** Lower-cases ASCII letters only (String#toLowerCase would also fold byte chars 0xC0–0xDE). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * Whether a byte-string literal is sure to appear verbatim in the raw stored line wherever it
 * appears in a decoded string field: no `"`, `\` or control character (JSON escapes them) and no
 * U+FFFD (a view shows an escaped lone surrogate as U+FFFD).
 */
function safeLiteral(b: string): boolean {
  if (b === '') return false;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
  }
  return !b.includes('\xef\xbf\xbd');
}

function requirement(b: string): readonly string[] | null {
  return safeLiteral(b) ? [b] : null;
}

/** A regex source matching the byte string `b` with ASCII letters folded: `[Aa]`, digits as is, every other byte `\xHH`. */
function caseFoldPattern(b: string): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      const u = c & 0xdf;
      out += `[${String.fromCharCode(u)}${String.fromCharCode(u | 0x20)}]`;
    } else if (c >= 0x30 && c <= 0x39) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out;
}

function hasAsciiLetter(b: string): boolean {
  return /[A-Za-z]/.test(b);
}

/** A test of a byte string: substring, equality or prefix of `b`, ASCII case folded. */
function stringTest(b: string, mode: 'substring' | 'equal' | 'prefix'): (s: string) => boolean {
  if (!hasAsciiLetter(b)) {
    if (mode === 'substring') return (s) => s.includes(b);
    if (mode === 'equal') return (s) => s === b;
    if (b === '') return () => true;
    return (s) => s.startsWith(b);
  }
  const p = caseFoldPattern(b);
  const re = new RegExp(mode === 'substring' ? p : mode === 'equal' ? `^${p}$` : `^${p}`);
  return (s) => re.test(s);
}

/** A bare word or phrase: a substring of hostname, appName or message. */
function textTerm(b: string): Compiled {
  const t = stringTest(b, 'substring');
  const pred: Pred = (v) => {
    let s = v.str('hostname');
    if (s !== null && t(s)) return true;
    s = v.str('appName');
    if (s !== null && t(s)) return true;
    s = v.str('message');
    return s !== null && t(s);
  };
  return { constant: null, pred, cost: COST_TEXT, req: requirement(b) };
}

function levelTerm(field: 'severity' | 'facility', op: string, x: number): Compiled {
  const get: (v: LineView) => number | null = field === 'severity' ? (v) => v.severity() : (v) => v.facility();
  let pred: Pred;
  switch (op) {
    case '<':
      pred = (v) => {
        const n = get(v);
        return n !== null && n < x;
      };
      break;
    case '<=':
      pred = (v) => {
        const n = get(v);
        return n !== null && n <= x;
      };
      break;
    case '>':
      pred = (v) => {
        const n = get(v);
        return n !== null && n > x;
      };
      break;
    case '>=':
      pred = (v) => {
        const n = get(v);
        return n !== null && n >= x;
      };
      break;
    default:
      pred = (v) => get(v) === x;
  }
  return { constant: null, pred, cost: COST_LEVEL, req: null };
}

const STR_FIELDS: ReadonlySet<string> = new Set<LineStrField>(['message', 'hostname', 'appName', 'msgId', 'procId']);

function fieldTerm(f: FieldRef, b: string, prefix: boolean): Compiled {
  const t = stringTest(b, prefix ? 'prefix' : 'equal');
  const req = requirement(b);
  switch (f.kind) {
    case 'host':
      return { constant: null, pred: (v) => { const s = v.host(); return s !== null && t(s); }, cost: COST_FIELD, req };
    case 'str': {
      const name = f.field;
      return { constant: null, pred: (v) => { const s = v.str(name); return s !== null && t(s); }, cost: COST_FIELD, req };
    }
    case 'sd': {
      const { id, param } = f;
      const pred: Pred = (v) => {
        const sd = ownObject(v.record(), 'structuredData');
        const v1 = ownValue(ownObject(sd, id), param);
        return typeof v1 === 'string' && t(toByteString(v1));
      };
      return { constant: null, pred, cost: COST_RECORD, req };
    }
    case 'cee': {
      const { name, path } = f;
      if (STR_FIELDS.has(name)) {
        const field = name as LineStrField;
        return { constant: null, pred: (v) => { const s = v.str(field); return s !== null && t(s); }, cost: COST_FIELD, req };
      }
      const dotted = path.length > 1;
      const pred: Pred = (v) => {
        const r = v.record();
        if (r === null) return false;
        if (valueMatches(walk(r, path), t)) return true;
        return dotted && valueMatches(ownValue(r, name), t);
      };
      return { constant: null, pred, cost: COST_RECORD, req };
    }
  }
}

/** A CEE value against a test: a string as its byte string, a finite number or a boolean as its JSON text. */
function valueMatches(x: unknown, t: (s: string) => boolean): boolean {
  if (typeof x === 'string') return t(toByteString(x));
  if (typeof x === 'number') return Number.isFinite(x) && t(String(x));
  if (typeof x === 'boolean') return t(x ? 'true' : 'false');
  return false;
}

/** The value at `path` (own properties of objects only), undefined when there is none. */
function walk(r: Record<string, unknown>, path: readonly string[]): unknown {
  let x: unknown = r;
  for (let i = 0; i < path.length; i++) {
    if (typeof x !== 'object' || x === null) return undefined;
    x = ownValue(x as Record<string, unknown>, path[i]);
  }
  return x;
}

function ownValue(o: Record<string, unknown> | null, k: string): unknown {
  return o !== null && Object.hasOwn(o, k) ? o[k] : undefined;
}

function ownObject(o: Record<string, unknown> | null, k: string): Record<string, unknown> | null {
  const x = ownValue(o, k);
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}
