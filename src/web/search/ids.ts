/**
 * Event ids and page cursors of the web API: a stored line's place in the file store,
 * `<YYYYMMDD>-<byte offset>` (the UTC day of receipt names the day file, the offset is where the
 * line starts in it). Appends never move a line, so an id — and a cursor, which is the id of the
 * last event of a page — stays valid while new events arrive; it dies only with its day file
 * (retention).
 */

/** A line's place: its day file (`YYYY-MM-DD`) and the byte offset where the line starts. */
export interface LinePlace {
  day: string;
  offset: number;
}

const ID_RE = /^(\d{4})(\d{2})(\d{2})-(\d{1,15})$/;

/** `2026-12-02` + 1234 → `20261202-1234`. */
export function eventId(day: string, offset: number): string {
  return `${day.slice(0, 4)}${day.slice(5, 7)}${day.slice(8, 10)}-${offset}`;
}

/**
 * The place an id or cursor stands for.
 * @returns null when `id` is not `<YYYYMMDD>-<offset>` (the caller answers 400)
 */
export function parseEventId(id: string): LinePlace | null {
  const m = ID_RE.exec(id);
  if (m === null) return null;
  const offset = Number(m[4]);
  if (!Number.isSafeInteger(offset)) return null;
  return { day: `${m[1]}-${m[2]}-${m[3]}`, offset };
}

/**
 * The API's form of a stored line: the stored JSON object with `"_id": id` added as its last key
 * (so it wins over a CEE key of that name); a line that is not a JSON object is wrapped as
 * `{"_id": id, "raw": line}`.
 */
export function withId(text: string, id: string): string {
  if (text.length >= 2 && text.charCodeAt(0) === 123 && text.charCodeAt(text.length - 1) === 125) {
    return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"_id":"${id}"}`;
  }
  return `{"_id":"${id}","raw":${JSON.stringify(text)}}`;
}

