/**
 * The live tail: an EventSource on `/api/v1/apps/:app/tail?q=` (Server-Sent Events; the browser
 * reconnects by itself and resumes with `Last-Event-ID`). New events go to `onEvents` in batches;
 * while paused they are held back (the newest {@link MAX_ROWS}) and counted as "N new".
 */
import { appUrl, params, type Query } from './api.js';
import { MAX_ROWS } from './rows.js';

/** What the tail reports besides events. */
export interface TailStatus {
  /** `live`, `paused`, `reconnecting`, or why it stopped */
  state: string;
  /** events received while paused */
  newCount: number;
}

export class LiveTail {
  private source: EventSource | null = null;
  private paused = false;
  private held: string[] = [];
  private newCount = 0;

  /**
   * @param onEvents gets newly arrived records as JSON text (the `data:` of each event), oldest first
   * @param onStatus gets every change of state or of the "new" counter
   */
  constructor(private readonly onEvents: (lines: string[]) => void, private readonly onStatus: (s: TailStatus) => void) {}

  get running(): boolean {
    return this.source !== null;
  }

  /** Starts (or restarts) tailing `query`'s app and words; `from`/`to` do not apply to a tail. */
  start(query: Query): void {
    this.stop();
    const es = new EventSource(appUrl(query.app, 'tail') + params({ ...query, from: '', to: '' }));
    this.source = es;
    es.onopen = () => this.status(this.paused ? 'paused' : 'live');
    es.onmessage = (e: MessageEvent<string>) => {
      if (!this.paused) { this.onEvents([e.data]); return; }
      this.held.push(e.data);
      if (this.held.length > MAX_ROWS * 2) this.held.splice(0, this.held.length - MAX_ROWS);
      this.newCount++;
      this.status('paused');
    };
    es.addEventListener('revoked', () => { this.stop(); this.status('stopped: the key was revoked'); });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) { this.stop(); this.status('stopped (log in again?)'); }
      else this.status('reconnecting');
    };
  }

  /** Closes the stream; held events are dropped. */
  stop(): void {
    this.source?.close();
    this.source = null;
    this.held = [];
    this.newCount = 0;
    this.paused = false;
  }

  /** Pauses (events are counted, not shown) or resumes (the held ones are shown). */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (!paused) {
      const held = this.held.length > MAX_ROWS ? this.held.slice(-MAX_ROWS) : this.held;
      this.held = [];
      this.newCount = 0;
      if (held.length > 0) this.onEvents(held);
    }
    this.status(paused ? 'paused' : 'live');
  }

  private status(state: string): void {
    this.onStatus({ state, newCount: this.newCount });
  }
}
