/**
 * Abstract conformance tests for the {@link Sink} interface (in the pattern of
 * aedes-persistence's abstract tests): {@link sinkConformance} registers node:test tests that
 * any sink must pass, through a {@link SinkHarness} that knows how to read back, break and
 * repair that sink. Run it from a `*.test.ts` file once per sink implementation.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBatch, RecordStatus, type Sink, type SinkFailure, type WriteResult } from '../../src/sinks/types.js';

/** What the suite needs from one sink implementation; a fresh one per test. */
export interface SinkHarness {
  /** The sink under test, not yet opened. */
  sink: Sink;
  /** The records delivered for `app`, in delivery order, each exactly as written (LF included). */
  read(app: string): Promise<string[]>;
  /** From now on, every write of `app`'s records fails (the sink's other apps keep working). */
  breakApp(app: string): Promise<void>;
  /** Undoes {@link breakApp}: the sink can write `app` again. */
  repairApp(app: string): Promise<void>;
  /** Removes whatever the harness created (temp dirs); the sink is closed by then. */
  cleanup(): Promise<void>;
  /**
   * Optional capability: starts observing the sink's durability step (file: each fdatasync;
   * others: whatever makes a record durable). The harness calls `events.started()` when such a
   * step begins and `events.finished()` once it has completed, before the sink can see that it
   * did. Returns a function that stops observing.
   */
  observeSync?(events: SyncEvents): () => void;
  /** Least time the durability step takes, ms (a configured delay), when known. */
  minSyncMs?: number;
  /** Longest a down sink may take to come back up once repaired, ms (default 3000). */
  recoveryMs?: number;
}

/** Callbacks of {@link SinkHarness.observeSync}. */
export interface SyncEvents {
  started(): void;
  finished(): void;
}

/** A fixed receive time (UTC noon), so every record lands in one day file. */
export const AT = Date.UTC(2026, 10, 21, 12);
const DAY_MS = 86_400_000;

/** The settled outcome of a promise, without try/catch: a rejection is data, not an exception. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
function settle<T>(p: () => Promise<T>): Promise<Settled<T>> {
  // a synchronous throw from `p` becomes a rejection too
  return Promise.resolve().then(p).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

/** Writes and asserts that the write resolved (never rejected), returning its result. */
async function writeOk(sink: Sink, batch: RecordBatch): Promise<WriteResult> {
  const r = await settle(() => sink.write(batch));
  assert.ok(r.ok, `write() must never reject, it rejected with ${r.ok ? '' : String((r as { error: unknown }).error)}`);
  return r.value;
}

/** `[app, line]` pairs → a sealed batch; `at` per record defaults to {@link AT}. */
function batchOf(records: Array<[string, string, number?]>): RecordBatch {
  const b = new RecordBatch();
  for (const [app, line, at] of records) b.add(app, line, at ?? AT);
  return b.seal();
}

/** The status of each record of `app` in `batch`, in order. */
function statusOf(batch: RecordBatch, result: WriteResult, app: string): number[] {
  const g = batch.groups.find((x) => x.app === app);
  assert.ok(g, `no group for ${app}`);
  return Array.from(result.status.subarray(g.first, g.first + g.count));
}

const line = (app: string, i: number, extra = ''): string => `${JSON.stringify({ app, i, extra })}\n`;
const lines = (app: string, n: number, from = 0): string[] => Array.from({ length: n }, (_, k) => line(app, from + k));
/** Interleaves the apps' lines record by record (a, b, c, a, b, c …) into one batch. */
function interleaved(per: Record<string, string[]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const apps = Object.keys(per);
  const max = Math.max(...apps.map((a) => per[a].length));
  for (let i = 0; i < max; i++) for (const a of apps) if (i < per[a].length) out.push([a, per[a][i]]);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms for at most `ms`; returns whether it became true. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/**
 * Registers the conformance tests for one sink implementation.
 * @param name shown in every test's name
 * @param makeHarness a fresh harness (fresh sink, fresh storage) per test
 */
export function sinkConformance(name: string, makeHarness: () => Promise<SinkHarness>): void {
  /** Runs `body` against a fresh harness; always closes the sink and cleans up. */
  const withHarness = (title: string, body: (h: SinkHarness, t: TestContext) => Promise<void>): void => {
    test(`${name}: ${title}`, { timeout: 20_000 }, async (t) => {
      const h = await makeHarness();
      try {
        await body(h, t);
      } finally {
        await h.sink.close();
        await h.cleanup();
      }
    });
  };

  withHarness('a batch for three apps: one status per record, all Delivered, read back in order (UTF-8, > 256 KiB, across midnight)', async (h) => {
    await h.sink.open();
    const big = line('b', 1, 'x'.repeat(300 * 1024));
    const per: Record<string, string[]> = {
      a: [line('a', 0, 'héllo wörld ✓ 日本語 🎉'), ...lines('a', 20, 1)],
      b: [line('b', 0), big, line('b', 2, '\u00e9\u{1F600}')],
      c: lines('c', 7),
    };
    const records = interleaved(per);
    // app d: two records just before and one just after a UTC midnight, in arrival order
    const midnight = Math.ceil(AT / DAY_MS) * DAY_MS;
    const d = [line('d', 0), line('d', 1), line('d', 2)];
    const all: Array<[string, string, number?]> = [...records, ['d', d[0], midnight - 2], ['d', d[1], midnight - 1], ['d', d[2], midnight]];
    const batch = batchOf(all);
    const r = await writeOk(h.sink, batch);
    assert.equal(r.status.length, all.length, 'one status per record');
    assert.deepEqual(Array.from(r.status), all.map(() => RecordStatus.Delivered));
    assert.equal(r.failure, null);
    assert.equal(h.sink.down, null);
    for (const app of Object.keys(per)) assert.deepEqual(await h.read(app), per[app], `${app} reads back as written, in order`);
    assert.deepEqual(await h.read('d'), d, 'records across midnight read back in order');
    const readBig = (await h.read('b'))[1];
    assert.equal(Buffer.byteLength(readBig), Buffer.byteLength(big), 'the > 256 KiB line came back whole');
    // a second batch appends after the first
    const r2 = await writeOk(h.sink, batchOf([['a', line('a', 99)]]));
    assert.deepEqual(Array.from(r2.status), [RecordStatus.Delivered]);
    assert.deepEqual(await h.read('a'), [...per.a, line('a', 99)]);
  });

  withHarness('delivered only after the sync: write() resolves after every durability step it started has finished', async (h, t) => {
    if (h.observeSync === undefined) { t.skip('this harness cannot observe syncs'); return; }
    await h.sink.open();
    let seq = 0;
    let started = 0;
    const finished: Array<{ seq: number; resultExisted: boolean }> = [];
    let result: WriteResult | undefined;
    /** The write's result, the moment it resolved. */
    let got: WriteResult | undefined;
    let atResolve = { started: -1, finished: -1 };
    const stop = h.observeSync({
      started: () => { started++; },
      finished: () => { finished.push({ seq: ++seq, resultExisted: got !== undefined }); },
    });
    let writtenAt = -1;
    let took = -1;
    try {
      const batch = batchOf(interleaved({ a: lines('a', 5), b: lines('b', 5), c: lines('c', 5) }));
      const t0 = performance.now();
      result = await h.sink.write(batch).then((r) => {
        got = r;
        writtenAt = ++seq;
        took = performance.now() - t0;
        atResolve = { started, finished: finished.length };
        return r;
      });
      // a sync still running when write() resolved would report in later: give it the chance
      await sleep(50);
    } finally {
      stop();
    }
    assert.ok(atResolve.started >= 1, 'the durability step was observed');
    assert.equal(atResolve.finished, atResolve.started, `every sync the write started had finished when it resolved (${JSON.stringify(atResolve)})`);
    assert.ok(finished.every((s) => s.seq < writtenAt), `write() resolved (#${writtenAt}) after the last sync finished (${JSON.stringify(finished)})`);
    assert.ok(finished.every((s) => !s.resultExisted), 'no status array existed before the last sync finished');
    assert.ok(result !== undefined);
    assert.deepEqual(Array.from(result.status), new Array(15).fill(RecordStatus.Delivered));
    if (h.minSyncMs !== undefined) assert.ok(took >= h.minSyncMs - 1, `write() took ${took.toFixed(1)} ms, the sync takes ${h.minSyncMs} ms`);
  });

  withHarness('a failed write marks exactly its records Errored; the others are Delivered; the sink goes down', async (h) => {
    await h.sink.open();
    const changes: Array<SinkFailure | null> = [];
    h.sink.onDownChange((d) => changes.push(d));
    await h.breakApp('b');
    const per = { a: lines('a', 4), b: lines('b', 3), c: lines('c', 5) };
    const batch = batchOf(interleaved(per));
    const r = await writeOk(h.sink, batch);
    assert.equal(r.status.length, 12);
    assert.deepEqual(statusOf(batch, r, 'b'), [RecordStatus.Errored, RecordStatus.Errored, RecordStatus.Errored], 'every record of the broken app is Errored');
    assert.deepEqual(statusOf(batch, r, 'a'), new Array(4).fill(RecordStatus.Delivered));
    assert.deepEqual(statusOf(batch, r, 'c'), new Array(5).fill(RecordStatus.Delivered));
    assert.deepEqual(await h.read('a'), per.a, 'the healthy apps were stored');
    assert.deepEqual(await h.read('c'), per.c);
    assert.ok(r.failure !== null, 'the write reports its failure');
    assert.ok(r.failure.reason === 'write_error' || r.failure.reason === 'disk_full', `a known reason: ${r.failure.reason}`);
    assert.ok(r.failure.message.length > 0, 'with a message');
    assert.ok(h.sink.down !== null, 'the sink is down after a failed write');
    assert.equal(h.sink.down.reason, r.failure.reason);
    assert.ok(changes.length >= 1 && changes[0] !== null, `onDownChange listeners were told: ${JSON.stringify(changes)}`);
    assert.equal(changes[0]!.reason, r.failure.reason);
  });

  withHarness('down → up: once repaired the sink comes back and a new write is Delivered', async (h) => {
    await h.sink.open();
    const changes: Array<SinkFailure | null> = [];
    h.sink.onDownChange((d) => changes.push(d));
    await h.breakApp('b');
    const failed = await writeOk(h.sink, batchOf([['a', line('a', 0)], ['b', line('b', 0)]]));
    assert.ok(failed.failure !== null);
    assert.ok(h.sink.down !== null, 'down after the failed write');
    await h.repairApp('b');
    const ms = h.recoveryMs ?? 3000;
    assert.ok(await until(() => h.sink.down === null, ms), `the sink came back up within ${ms} ms`);
    assert.equal(changes.at(-1), null, `the last onDownChange call was with null: ${JSON.stringify(changes)}`);
    assert.ok(changes.length >= 2 && changes[0] !== null);
    assert.deepEqual(await h.read('b'), [], 'the errored record was not stored');
    const r = await writeOk(h.sink, batchOf([['b', line('b', 1)], ['a', line('a', 1)]]));
    assert.deepEqual(Array.from(r.status), [RecordStatus.Delivered, RecordStatus.Delivered]);
    assert.equal(r.failure, null);
    assert.equal(h.sink.down, null, 'still up after a good write');
    assert.deepEqual(await h.read('b'), [line('b', 1)]);
    assert.deepEqual(await h.read('a'), [line('a', 0), line('a', 1)]);
  });

  withHarness('close() waits for the write in flight; closing twice is fine', async (h) => {
    await h.sink.open();
    const per = { a: lines('a', 50), b: [line('b', 0, 'y'.repeat(300 * 1024))] };
    let result: WriteResult | undefined;
    const writing = h.sink.write(batchOf(interleaved(per))).then((r) => { result = r; return r; });
    const closed = await settle(() => h.sink.close());
    assert.ok(closed.ok, 'close() resolved');
    assert.ok(result !== undefined, 'the write in flight had finished when close() resolved');
    assert.deepEqual(Array.from(result.status), new Array(51).fill(RecordStatus.Delivered));
    assert.deepEqual(await h.read('a'), per.a, 'its records are all readable after close');
    assert.deepEqual(await h.read('b'), per.b);
    const again = await settle(() => h.sink.close());
    assert.ok(again.ok, 'a second close() resolves too');
    await writing;
  });

  withHarness('write() never rejects, not even for a broken app or an empty batch', async (h) => {
    await h.sink.open();
    await h.breakApp('a');
    const only = await settle(() => h.sink.write(batchOf([['a', line('a', 0)], ['a', line('a', 1)]])));
    assert.ok(only.ok, `a write of only a broken app resolves (got ${only.ok ? '' : String((only as { error: unknown }).error)})`);
    assert.deepEqual(Array.from(only.value.status), [RecordStatus.Errored, RecordStatus.Errored]);
    assert.ok(only.value.failure !== null);
    // while down, writes still resolve
    const again = await settle(() => h.sink.write(batchOf([['a', line('a', 2)], ['z', line('z', 0)]])));
    assert.ok(again.ok, 'a write while down resolves');
    assert.deepEqual(Array.from(again.value.status), [RecordStatus.Errored, RecordStatus.Delivered]);
    const empty = await settle(() => h.sink.write(new RecordBatch().seal()));
    assert.ok(empty.ok, 'an empty batch resolves');
    assert.equal(empty.value.status.length, 0);
    assert.deepEqual(await h.read('z'), [line('z', 0)]);
    await h.repairApp('a');
  });
}
