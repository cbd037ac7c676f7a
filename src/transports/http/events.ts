/**
 * HTTP request bodies → events. The shape is read from the body, not the Content-Type (curl
 * `-d` sends `application/x-www-form-urlencoded`, Sematext's own examples do so):
 * - Elasticsearch bulk (NDJSON action/document line pairs: `index`, `create`, `update`, `delete`),
 *   as the bulk API defines it; a document that is not one JSON object fails only its item.
 * - a single document (`_doc`): one JSON object;
 * - Loggly `inputs`: the whole body, a JSON object or else text; Loggly `bulk` and Logentries
 *   `noformat`: one event per line (LF or CRLF; empty lines skipped).
 * JSON is parsed with `fast-json-parse` (never throws); invalid UTF-8 reads as U+FFFD.
 */
import { parseObject, type IntakeEvent } from '../../pipeline/intake.js';

/** Why one item (or a whole bulk body) was not taken: an Elasticsearch error. */
export interface ItemError {
  status: number;
  type: string;
  reason: string;
}

/** One bulk item: its action and metadata, and its event or its error. */
export interface BulkItem {
  /** `index`, `create`, `update` or `delete` (the key of the item in the response). */
  action: string;
  /** `_index` of the action line, else null (the path's index applies). */
  index: string | null;
  /** `_id` of the action line, else null. */
  id: string | null;
  /** The document (null when the item failed). */
  ev: IntakeEvent | null;
  error: ItemError | null;
}

const ACTIONS = new Set(['index', 'create', 'update', 'delete']);

/** Calls `line(start, end)` for every non-blank line of `body` (LF-separated, a CR before LF dropped). */
function forEachLine(body: Buffer, line: (start: number, end: number) => boolean | void): void {
  let start = 0;
  while (start < body.length) {
    let lf = body.indexOf(0x0a, start);
    if (lf < 0) lf = body.length;
    let end = lf;
    if (end > start && body[end - 1] === 0x0d) end--;
    let s = start;
    while (s < end && (body[s] === 0x20 || body[s] === 0x09)) s++;
    if (s < end && line(start, end) === false) return;
    start = lf + 1;
  }
}

const metaString = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/**
 * Parses an Elasticsearch bulk body.
 * @returns the items in order, or the error of the whole request (a malformed action line: the
 *   pairing of the following lines is unknown, so Elasticsearch refuses the request, 400)
 */
export function parseBulk(body: Buffer): BulkItem[] | ItemError {
  const items: BulkItem[] = [];
  let pending: BulkItem | null = null; // an action waiting for its document line
  let failed: ItemError | null = null;
  let lineNo = 0;
  forEachLine(body, (start, end) => {
    lineNo++;
    const text = body.toString('utf8', start, end);
    if (pending !== null) {
      const item: BulkItem = pending;
      pending = null;
      if (item.action === 'update') {
        item.error = { status: 400, type: 'illegal_argument_exception', reason: 'update is not supported by this receiver: send index or create' };
        return;
      }
      const doc = parseObject(text);
      if (doc === null) item.error = { status: 400, type: 'mapper_parsing_exception', reason: `failed to parse: the document on line ${lineNo} is not one JSON object` };
      else {
        if (item.id !== null) doc.id = item.id;
        item.ev = { json: doc, text: null, extra: null, bytes: end - start };
      }
      return;
    }
    const action = parseObject(text);
    const keys = action === null ? [] : Object.keys(action);
    if (action === null || keys.length !== 1 || !ACTIONS.has(keys[0])) {
      failed = { status: 400, type: 'illegal_argument_exception', reason: `Malformed action/metadata line [${lineNo}], expected one of [create, delete, index, update]` };
      return false;
    }
    const name = keys[0];
    const meta = action[name];
    const m = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {};
    const item: BulkItem = { action: name, index: metaString(m._index), id: metaString(m._id), ev: null, error: null };
    items.push(item);
    if (name === 'delete') item.error = { status: 400, type: 'illegal_argument_exception', reason: 'delete is not supported by this receiver: it stores logs, it does not change them' };
    else pending = item;
  });
  if (failed !== null) return failed;
  const last = pending as BulkItem | null;
  if (last !== null) last.error = { status: 400, type: 'illegal_argument_exception', reason: 'the last action has no document line' };
  if (items.length === 0) return { status: 400, type: 'action_request_validation_exception', reason: 'Validation Failed: 1: no requests added;' };
  return items;
}

/** The event of `text`: a JSON event when `json` and it is one JSON object, else a text event. */
function eventOf(text: string, json: boolean, bytes: number): IntakeEvent {
  const obj = json ? parseObject(text) : null;
  return { json: obj, text: obj === null ? text : null, extra: null, bytes };
}

/** One event from a whole body: a JSON object, else the text without its trailing line break(s). */
export function oneEvent(body: Buffer): IntakeEvent {
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d)) end--;
  return eventOf(body.toString('utf8', 0, end), true, body.length);
}

/**
 * One event per non-blank line.
 * @param json true (Loggly bulk): a line that is one JSON object is a JSON event; false
 *   (Logentries noformat): every line is text
 */
export function lineEvents(body: Buffer, json: boolean): IntakeEvent[] {
  const out: IntakeEvent[] = [];
  forEachLine(body, (start, end) => { out.push(eventOf(body.toString('utf8', start, end), json, end - start + 1)); });
  return out;
}
