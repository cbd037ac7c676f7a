/**
 * The event list: newest first, one row per record (time, severity, host, program, message) with
 * the severity's colour; a click on a row shows every field and the raw record, with a button for
 * the events around it. At most {@link MAX_ROWS} rows are in the DOM: new tail rows go on top in
 * batches a few times a second and the oldest fall off the bottom, so a fast tail cannot freeze
 * the page.
 */
import type { EventRecord } from './api.js';
import { clear, el } from './dom.js';
import { flatten, formatTime, SEVERITY_NAMES, severityOf, text } from './format.js';

/** The most rows the list holds. */
export const MAX_ROWS = 2000;

/**
 * New rows are drawn at most every {@link DRAW_EVERY_MS} (then at the next animation frame),
 * {@link ROWS_PER_DRAW} at most each time: every draw shifts and repaints the visible list, so a
 * fast tail is drawn a few times a second, not at 60 frames per second.
 */
const DRAW_EVERY_MS = 100;
const ROWS_PER_DRAW = 1000;

export class RowList {
  readonly element = el('div', { class: 'rows', 'data-testid': 'rows', role: 'list' });
  /** new records as the tail sent them (JSON text, oldest first), parsed only when drawn */
  private pending: string[] = [];
  private scheduled = false;

  /** @param onContext called with a record whose "context" button was pressed */
  constructor(private readonly onContext: (r: EventRecord) => void) {
    this.element.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      if (t.closest('[data-testid="row-detail"]') !== null) return; // selecting text in a detail
      const row = t.closest<HTMLElement>('[data-testid="row"]');
      if (row !== null) this.toggle(row);
    });
  }

  /** How many rows the list holds now. */
  get size(): number {
    return this.element.childElementCount;
  }

  /** Replaces the rows with `records` (newest first). */
  replace(records: readonly EventRecord[]): void {
    this.pending = [];
    clear(this.element);
    this.append(records);
  }

  /** Adds older `records` (newest first) below the rows, up to {@link MAX_ROWS} in all. @returns how many were added */
  append(records: readonly EventRecord[]): number {
    const room = Math.max(0, MAX_ROWS - this.size);
    const f = document.createDocumentFragment();
    for (let i = 0; i < records.length && i < room; i++) f.append(this.row(records[i]));
    this.element.append(f);
    return Math.min(room, records.length);
  }

  /**
   * Queues newer records (JSON text, oldest first, as a tail delivers them) for the top of the
   * list. They are drawn in batches (see {@link DRAW_EVERY_MS}); of a
   * burst only the newest {@link MAX_ROWS} are kept (the rest would fall off the list anyway).
   */
  prepend(lines: readonly string[]): void {
    for (const l of lines) this.pending.push(l);
    // trimmed in halves, not per line: a burst of thousands of events costs O(n), not O(n × MAX_ROWS)
    if (this.pending.length > MAX_ROWS * 2) this.pending.splice(0, this.pending.length - MAX_ROWS);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => requestAnimationFrame(() => this.flush()), DRAW_EVERY_MS);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length > MAX_ROWS) this.pending.splice(0, this.pending.length - MAX_ROWS);
    const n = Math.min(ROWS_PER_DRAW, this.pending.length);
    const batch = this.pending.splice(0, n);
    const f = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i--) {
      let r: EventRecord;
      try { r = JSON.parse(batch[i]) as EventRecord; } catch { continue; }
      f.append(this.row(r));
    }
    this.element.prepend(f);
    for (let k = this.size - MAX_ROWS; k > 0; k--) this.element.lastElementChild!.remove();
    if (this.pending.length > 0) this.schedule();
  }

  private row(r: EventRecord): HTMLElement {
    const sev = severityOf(r);
    const program = text(r.appName) + (r.procId !== null && r.procId !== undefined ? `[${text(r.procId)}]` : '');
    const row = el('div', { class: `row sev-${sev ?? 'none'}`, 'data-testid': 'row', 'data-id': r._id, role: 'listitem' },
      el('div', { class: 'line' },
        // receivedAt: the time axis of the list and the chart; the event's own time is the tooltip
        el('time', { class: 'time', datetime: text(r.receivedAt), title: `event time ${text(r['@timestamp'])}` }, formatTime(r.receivedAt)),
        el('span', { class: 'sev' }, sev === null ? '' : SEVERITY_NAMES[sev]),
        el('span', { class: 'host' }, text(r.hostname)),
        el('span', { class: 'program' }, program),
        el('span', { class: 'message', 'data-testid': 'message' }, text(r.message))));
    (row as HTMLElement & { record?: EventRecord }).record = r;
    return row;
  }

  private toggle(row: HTMLElement): void {
    const open = row.querySelector('[data-testid="row-detail"]');
    if (open !== null) {
      open.remove();
      row.classList.remove('open');
      return;
    }
    const r = (row as HTMLElement & { record?: EventRecord }).record!;
    const table = el('table', { class: 'fields' });
    for (const [k, v] of flatten(r)) table.append(el('tr', {}, el('th', {}, k), el('td', {}, v)));
    const context = el('button', { type: 'button', 'data-testid': 'context' }, 'Show context');
    context.addEventListener('click', () => this.onContext(r));
    row.append(el('div', { class: 'detail', 'data-testid': 'row-detail' },
      table,
      el('pre', { class: 'raw', 'data-testid': 'row-raw' }, JSON.stringify(r, null, 2)),
      context));
    row.classList.add('open');
  }
}
