/**
 * One app's logs: the query bar (words, time presets, a custom range), the volume chart, the
 * total, the rows with "Load more", the context panel, the live tail controls and the NDJSON
 * download. Every change of query or range goes to the URL first (a permalink) and then runs.
 */
import { ApiError, appUrl, get, params, type AppSummary, type EventRecord, type Histogram, type Query } from './api.js';
import { VolumeChart } from './chart.js';
import { el } from './dom.js';
import { MAX_ROWS, RowList } from './rows.js';
import { isoToLocal, localToIso, PRESETS, writeUrl } from './state.js';
import { LiveTail } from './tail.js';

/** Events per page of the list (the API's default `limit`). */
const PAGE = 200;

export class SearchView {
  readonly element: HTMLElement;
  private query: Query = { app: '', q: '', from: 'now-1h', to: '' };
  private next: string | null = null;
  private total = 0;
  private running: AbortController | null = null;

  private readonly app = el('select', { 'data-testid': 'app', 'aria-label': 'app' });
  private readonly q = el('input', { type: 'search', name: 'q', 'data-testid': 'query', placeholder: 'words, "a phrase", -not, host:web-1, severity:<=warning, user.id:42', 'aria-label': 'query', spellcheck: 'false' });
  private readonly from = el('input', { type: 'datetime-local', 'data-testid': 'from', 'aria-label': 'from' });
  private readonly to = el('input', { type: 'datetime-local', 'data-testid': 'to', 'aria-label': 'to' });
  private readonly presets = el('span', { class: 'presets', role: 'group', 'aria-label': 'time range' });
  private readonly error = el('div', { class: 'query-error', 'data-testid': 'query-error', role: 'alert', hidden: '' });
  private readonly totalText = el('span', { class: 'total', 'data-testid': 'total', 'aria-live': 'polite' });
  private readonly download = el('a', { 'data-testid': 'download', download: '' }, 'Download NDJSON');
  private readonly more = el('button', { type: 'button', 'data-testid': 'load-more', hidden: '' }, 'Load more');
  private readonly full = el('p', { class: 'hint', hidden: '' }, `The list holds the newest ${MAX_ROWS.toLocaleString()} rows: narrow the query or the range, or download them all.`);
  private readonly tailButton = el('button', { type: 'button', 'data-testid': 'tail-toggle', 'aria-pressed': 'false' }, 'Live tail');
  private readonly pauseButton = el('button', { type: 'button', 'data-testid': 'tail-pause', 'aria-pressed': 'false', disabled: '' }, 'Pause');
  private readonly newCount = el('span', { class: 'new-count', 'data-testid': 'new-count' });
  private readonly tailState = el('span', { class: 'tail-state', 'data-testid': 'tail-state' });
  private readonly contextPanel = el('section', { class: 'context', 'data-testid': 'context-panel', hidden: '' });
  private readonly chart: VolumeChart;
  private readonly rows: RowList;
  private readonly tail: LiveTail;

  /**
   * @param apps the apps this key reads (the selector's options)
   * @param onUnauthorized called when the session ended (401)
   */
  constructor(apps: readonly AppSummary[], private readonly onUnauthorized: () => void) {
    for (const a of apps) this.app.append(el('option', { value: a.name }, `${a.name} (${a.eventsToday.toLocaleString()} today)`));
    for (const [label, from] of PRESETS) {
      const b = el('button', { type: 'button', 'data-preset': from, 'data-testid': `preset-${label}` }, label);
      b.addEventListener('click', () => this.go({ ...this.query, from, to: '' }));
      this.presets.append(b);
    }
    const form = el('form', { class: 'query', role: 'search' },
      this.app, this.q, el('button', { type: 'submit', 'data-testid': 'run' }, 'Search'), this.presets,
      el('span', { class: 'custom' }, this.from, '–', this.to, el('button', { type: 'button', 'data-testid': 'apply-range' }, 'Apply')));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.go({ ...this.query, q: this.q.value }); });
    this.app.addEventListener('change', () => this.go({ ...this.query, app: this.app.value }));
    form.querySelector('[data-testid="apply-range"]')!.addEventListener('click', () => {
      const from = localToIso(this.from.value);
      if (from === '') { this.showError('pick a start time for the custom range'); return; }
      this.go({ ...this.query, q: this.q.value, from, to: localToIso(this.to.value) });
    });
    const chartHost = el('div', { class: 'chart', 'data-testid': 'chart' });
    this.chart = new VolumeChart(chartHost, (from, to) => this.go({ ...this.query, from, to }));
    this.rows = new RowList((r) => void this.showContext(r));
    this.tail = new LiveTail((rs) => this.tailEvents(rs), (s) => {
      this.tailState.textContent = s.state;
      this.newCount.textContent = s.newCount > 0 ? `${s.newCount} new` : '';
      if (s.state.startsWith('stopped')) this.tailControls(false);
    });
    this.tailButton.addEventListener('click', () => {
      if (this.tail.running) { this.tail.stop(); this.tailControls(false); this.tailState.textContent = ''; }
      else { this.tail.start(this.query); this.tailControls(true); }
    });
    this.pauseButton.addEventListener('click', () => {
      const paused = this.pauseButton.getAttribute('aria-pressed') !== 'true';
      this.pauseButton.setAttribute('aria-pressed', String(paused));
      this.pauseButton.textContent = paused ? 'Resume' : 'Pause';
      this.tail.setPaused(paused);
    });
    this.more.addEventListener('click', () => void this.loadMore());
    this.element = el('div', { class: 'search' },
      form, this.error, chartHost,
      el('div', { class: 'toolbar' }, this.totalText, this.tailButton, this.pauseButton, this.newCount, this.tailState, this.download),
      this.contextPanel, this.rows.element, this.more, this.full);
  }

  /** Stops the tail and any running request (the view is going away: logout, session end). */
  close(): void {
    this.running?.abort();
    this.tail.stop();
  }

  /** Shows `query` (from the URL: it is not written back) and runs it. */
  show(query: Query): void {
    void this.run(query);
  }

  /** Puts `query` in the URL and runs it. */
  private go(query: Query): void {
    writeUrl(query);
    void this.run(query);
  }

  private async run(query: Query): Promise<void> {
    this.running?.abort();
    const abort = new AbortController();
    this.running = abort;
    this.query = query;
    this.app.value = query.app;
    this.q.value = query.q;
    this.from.value = isoToLocal(query.from);
    this.to.value = isoToLocal(query.to);
    for (const b of this.presets.children) b.classList.toggle('active', query.to === '' && b.getAttribute('data-preset') === query.from);
    this.error.hidden = true;
    this.contextPanel.hidden = true;
    this.download.href = appUrl(query.app, 'export') + params(query);
    delete this.totalText.dataset.count;
    this.totalText.textContent = 'searching…';
    if (this.tail.running) { this.tail.start(query); this.tailControls(true); }
    try {
      const [h, page] = await Promise.all([
        get<Histogram>(appUrl(query.app, 'histogram') + params(query), abort.signal),
        get<{ events: EventRecord[]; next: string | null }>(appUrl(query.app, 'events') + params(query, { limit: String(PAGE) }), abort.signal),
      ]);
      if (abort.signal.aborted) return;
      this.chart.show(h);
      this.setTotal(h.total);
      this.rows.replace(page.events);
      this.setNext(page.next);
    } catch (err) {
      if (!abort.signal.aborted) this.failed(err);
    }
  }

  private async loadMore(): Promise<void> {
    if (this.next === null) return;
    this.more.disabled = true;
    try {
      const page = await get<{ events: EventRecord[]; next: string | null }>(appUrl(this.query.app, 'events') + params(this.query, { limit: String(PAGE), before: this.next }));
      const added = this.rows.append(page.events);
      this.setNext(added < page.events.length ? null : page.next);
      this.full.hidden = added === page.events.length;
    } catch (err) {
      this.failed(err);
    } finally {
      this.more.disabled = false;
    }
  }

  private async showContext(r: EventRecord): Promise<void> {
    try {
      const c = await get<{ events: EventRecord[]; index: number }>(appUrl(this.query.app, `events/${encodeURIComponent(r._id)}/context`) + '?before=20&after=20');
      const list = new RowList(() => undefined);
      list.append(c.events);
      list.element.children[c.index]?.classList.add('focus');
      const close = el('button', { type: 'button', 'data-testid': 'context-close' }, 'Close');
      close.addEventListener('click', () => { this.contextPanel.hidden = true; });
      this.contextPanel.replaceChildren(el('h2', {}, `Around ${r._id} (oldest first)`, close), list.element);
      this.contextPanel.hidden = false;
      this.contextPanel.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      this.failed(err);
    }
  }

  private tailEvents(rs: string[]): void {
    this.rows.prepend(rs);
    if (this.query.to === '') this.setTotal(this.total + rs.length);
  }

  private tailControls(on: boolean): void {
    this.tailButton.setAttribute('aria-pressed', String(on));
    this.pauseButton.disabled = !on;
    this.pauseButton.setAttribute('aria-pressed', 'false');
    this.pauseButton.textContent = 'Pause';
    if (!on) this.newCount.textContent = '';
  }

  private setTotal(n: number): void {
    this.total = n;
    this.totalText.dataset.count = String(n);
    this.totalText.textContent = `${n.toLocaleString()} event${n === 1 ? '' : 's'}`;
  }

  private setNext(next: string | null): void {
    this.next = next;
    this.more.hidden = next === null;
  }

  private failed(err: unknown): void {
    if (err instanceof ApiError && err.status === 401) { this.close(); this.onUnauthorized(); return; }
    delete this.totalText.dataset.count;
    this.totalText.textContent = '';
    if (err instanceof ApiError && err.code === 'query_syntax' && err.position !== undefined) {
      const caret = ' '.repeat(Math.max(0, Math.min(err.position, this.query.q.length))) + '^';
      this.showError(`query error at position ${err.position}: ${err.message}`, `${this.query.q}\n${caret}`);
    } else {
      this.showError(err instanceof Error ? err.message : String(err));
    }
  }

  private showError(message: string, pointer?: string): void {
    this.error.replaceChildren(el('span', {}, message), ...(pointer === undefined ? [] : [el('pre', { 'data-testid': 'query-pointer' }, pointer)]));
    this.error.hidden = false;
  }
}
