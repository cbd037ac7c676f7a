/**
 * Test sinks behind the real {@link Sink} interface: `MemorySink` keeps what it delivered in
 * memory; `FaultSink` wraps any sink (the real FileSink included) and injects what a test cannot
 * get from a real disk on demand — a slow sync (`delayMs`), failing writes (`fault`, the sink goes
 * down and comes back up by itself once the fault is cleared), records a sink refuses for good
 * (`reject`). They replace the old `syncDelayMs` / `storeFault` hooks of the file store.
 */
import { RecordStatus, type RecordBatch, type Sink, type SinkEntry, type SinkFailure, type WriteResult } from '../../src/sinks/types.js';

export interface FaultOptions {
  /** Extra delay before each write reaches the inner sink, ms (a slow fdatasync). */
  delayMs?: number;
  /**
   * Checked before each write: an error fails the whole write (every record `Errored`, nothing
   * reaches the inner sink) and puts the sink down; it comes back up once this returns null
   * (polled every `probeMs`).
   */
  fault?: () => NodeJS.ErrnoException | null;
  /** Records of these apps are answered `Rejected` (and not passed on). */
  rejectApps?: readonly string[];
  probeMs?: number;
}

/**
 * What the test sinks share: the down state and its listeners, a probe that brings the sink back
 * up once the fault is gone, and the write in flight (which `close()` waits for).
 */
export abstract class TestSinkBase {
  down: SinkFailure | null = null;
  private readonly listeners: Array<(d: SinkFailure | null) => void> = [];
  private probe: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> | null = null;

  onDownChange(listener: (d: SinkFailure | null) => void): void { this.listeners.push(listener); }

  protected setDown(d: SinkFailure | null): void {
    this.down = d;
    for (const l of this.listeners) l(d);
  }

  /** Goes down with `failure` (unless down already); back up once `healed()` holds, polled every `probeMs`. */
  protected goDown(failure: SinkFailure, healed: () => boolean, probeMs: number): void {
    if (this.down !== null) return;
    this.setDown(failure);
    const check = (): void => {
      if (healed()) { this.probe = null; this.setDown(null); } else this.probe = setTimeout(check, probeMs);
    };
    this.probe = setTimeout(check, probeMs);
  }

  /** Remembers `p` as the write in flight. */
  protected track<T>(p: Promise<T>): Promise<T> {
    this.inFlight = p;
    return p;
  }

  /** Stops the probe and waits for the write in flight. */
  protected async settle(): Promise<void> {
    if (this.probe) clearTimeout(this.probe);
    this.probe = null;
    await this.inFlight;
  }
}

/** Keeps every delivered record's bytes, per app, in delivery order. */
export class MemorySink extends TestSinkBase implements Sink {
  readonly name: string = 'memory';
  readonly lines = new Map<string, string[]>();
  opened = false;
  closed = false;

  async open(): Promise<void> { this.opened = true; }

  write(batch: RecordBatch): Promise<WriteResult> {
    return this.track((async (): Promise<WriteResult> => {
      await new Promise((r) => setImmediate(r)); // asynchronous like every real sink
      for (const g of batch.groups) {
        let list = this.lines.get(g.app);
        if (list === undefined) this.lines.set(g.app, (list = []));
        for (let i = 0; i < g.count; i++) list.push(g.record(i).toString('utf8'));
      }
      return { status: new Uint8Array(batch.records), failure: null };
    })());
  }

  async close(): Promise<void> {
    await this.settle();
    this.closed = true;
  }
}

/** Wraps `inner`, injecting delays, failures and rejections (see {@link FaultOptions}). */
export class FaultSink extends TestSinkBase implements Sink {
  readonly name: string;
  /** Writes seen, and when each resolved (epoch ms). */
  readonly writes: Array<{ records: number; doneAtMs: number }> = [];

  constructor(readonly inner: Sink, readonly opts: FaultOptions = {}) {
    super();
    this.name = inner.name;
    inner.onDownChange((d) => this.setDown(d));
  }

  open(): Promise<void> { return this.inner.open(); }

  write(batch: RecordBatch): Promise<WriteResult> { return this.track(this.doWrite(batch)); }

  private async doWrite(batch: RecordBatch): Promise<WriteResult> {
    const o = this.opts;
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    const err = o.fault?.() ?? null;
    let result: WriteResult;
    if (err !== null) {
      const failure: SinkFailure = { reason: err.code === 'ENOSPC' ? 'disk_full' : 'write_error', message: err.message };
      result = { status: new Uint8Array(batch.records).fill(RecordStatus.Errored), failure };
      this.goDown(failure, () => (o.fault?.() ?? null) === null, o.probeMs ?? 50);
    } else result = await this.inner.write(batch);
    if (o.rejectApps?.length) {
      for (const g of batch.groups) if (o.rejectApps.includes(g.app)) result.status.fill(RecordStatus.Rejected, g.first, g.first + g.count);
    }
    this.writes.push({ records: batch.records, doneAtMs: Date.now() });
    return result;
  }

  housekeeping(nowMs: number): Promise<void> { return this.inner.housekeeping?.(nowMs) ?? Promise.resolve(); }

  async close(): Promise<void> {
    await this.settle();
    await this.inner.close();
  }
}

/** `ReceiverOptions.sinks` that wraps every configured sink in a {@link FaultSink}. */
export function withFaults(opts: FaultOptions): (configured: readonly SinkEntry[]) => SinkEntry[] {
  return (configured) => configured.map((e) => ({ ...e, sink: new FaultSink(e.sink, opts) }));
}
