/**
 * Runs the sink conformance suite (conformance.ts) against every Sink we have:
 * (a) the real FileSink in a temp dir, fsync on — an app is broken by putting a regular file
 *     where its directory must go;
 * (b) FaultSink (with a sync delay) around MemorySink — an app is broken by a harness-local
 *     wrapper below the FaultSink ({@link AppFaultSink}), since FaultSink's `fault` can only fail
 *     whole writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { FileSink } from '../../src/sinks/file.js';
import { RecordBatch, RecordStatus, type Sink, type SinkFailure, type WriteResult } from '../../src/sinks/types.js';
import { FaultSink, MemorySink, TestSinkBase } from '../helpers/fault-sink.js';
import { AT, sinkConformance, type SinkHarness, type SyncEvents } from './conformance.js';

const log = createLogger('silent');

/** Splits a file's text into its lines, each keeping its LF. */
const splitLines = (text: string): string[] => (text === '' ? [] : text.split(/(?<=\n)/));

type Syncable = { datasync(): Promise<void>; sync(): Promise<void> };

/** FileHandle.prototype, from a handle opened once (FileHandle is not exported by node:fs). */
async function fileHandlePrototype(path: string): Promise<Syncable> {
  const fh = await open(path, 'r');
  try {
    return fh.constructor.prototype as Syncable;
  } finally {
    await fh.close();
  }
}

interface FileHarness extends SinkHarness {
  dir: string;
  /** fdatasync calls seen while observing. */
  datasyncs: number;
}

async function fileHarness(): Promise<FileHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'srx-conf-file-'));
  const proto = await fileHandlePrototype(dir);
  const sink = new FileSink({ dir, fsync: true, retentionDays: 0, maxBytes: 0, log });
  const h: FileHarness = {
    dir,
    sink,
    datasyncs: 0,
    async read(app) {
      const d = join(dir, app);
      if (!existsSync(d) || !statSync(d).isDirectory()) return [];
      return readdirSync(d).filter((f) => f.endsWith('.ndjson')).sort().flatMap((f) => splitLines(readFileSync(join(d, f), 'utf8')));
    },
    async breakApp(app) {
      const d = join(dir, app);
      // must happen before the sink opened a file of the app (an open handle would keep working)
      assert.ok(!existsSync(d), `breakApp(${app}) must come before anything of ${app} was written`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(d, 'a regular file where the app directory must go\n');
    },
    async repairApp(app) {
      rmSync(join(dir, app), { force: true });
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
    observeSync(events) {
      const { datasync, sync } = proto;
      proto.datasync = async function (this: Syncable): Promise<void> {
        events.started();
        await datasync.call(this);
        h.datasyncs++;
        events.finished();
      };
      // a new file's directory entry is synced too (fh.sync on the directories)
      proto.sync = async function (this: Syncable): Promise<void> {
        events.started();
        await sync.call(this);
        events.finished();
      };
      return () => { proto.datasync = datasync; proto.sync = sync; };
    },
    recoveryMs: 3500, // FileSink probes statfs every second
  };
  return h;
}

/**
 * A per-app fault below a FaultSink: records of a broken app are `Errored` (the rest go to the
 * inner sink), the sink goes down, and comes back up (probed every `probeMs`) once no app is
 * broken. `observer` hears when a write reaches it and when the inner sink has answered (the
 * harness's sync observer: for this sink "durable" means stored in the MemorySink).
 */
class AppFaultSink extends TestSinkBase implements Sink {
  readonly name: string;
  readonly broken = new Set<string>();
  /** Told when a write reaches this sink (after the FaultSink's delay) and when it is done. */
  observer: SyncEvents | null = null;

  constructor(readonly inner: Sink, readonly probeMs = 20) {
    super();
    this.name = inner.name;
  }

  open(): Promise<void> { return this.inner.open(); }

  write(batch: RecordBatch): Promise<WriteResult> { return this.track(this.doWrite(batch)); }

  private async doWrite(batch: RecordBatch): Promise<WriteResult> {
    const observer = this.observer;
    observer?.started();
    const status = new Uint8Array(batch.records);
    let failure: SinkFailure | null = null;
    // the healthy apps' records, in order: healthy status index j is original index at[j]
    const healthy = new RecordBatch();
    const at: number[] = [];
    for (const g of batch.groups) {
      if (this.broken.has(g.app)) {
        status.fill(RecordStatus.Errored, g.first, g.first + g.count);
        failure ??= { reason: 'write_error', message: `EIO: injected i/o error for app ${g.app}` };
        continue;
      }
      for (let i = 0; i < g.count; i++) {
        healthy.add(g.app, g.record(i).toString('utf8'), g.receivedAtMs[i]);
        at.push(g.first + i);
      }
    }
    healthy.seal();
    if (healthy.records > 0) {
      const r = await this.inner.write(healthy);
      for (let j = 0; j < at.length; j++) status[at[j]] = r.status[j];
      failure ??= r.failure;
    }
    observer?.finished();
    if (failure !== null) this.goDown(failure, () => this.broken.size === 0, this.probeMs);
    return { status, failure };
  }

  async close(): Promise<void> {
    await this.settle();
    await this.inner.close();
  }
}

const FAULT_DELAY_MS = 25;

async function faultHarness(): Promise<SinkHarness & { mem: MemorySink }> {
  const mem = new MemorySink();
  const perApp = new AppFaultSink(mem);
  const sink = new FaultSink(perApp, { delayMs: FAULT_DELAY_MS });
  return {
    sink,
    mem,
    async read(app) { return [...(mem.lines.get(app) ?? [])]; },
    async breakApp(app) { perApp.broken.add(app); },
    async repairApp(app) { perApp.broken.delete(app); },
    async cleanup() { /* nothing on disk */ },
    observeSync(events) {
      perApp.observer = events;
      return () => { perApp.observer = null; };
    },
    minSyncMs: FAULT_DELAY_MS,
    recoveryMs: 1000,
  };
}

sinkConformance('FileSink', fileHarness);
sinkConformance('FaultSink(MemorySink)', faultHarness);

// --- checks of the harnesses themselves (a conformance run is only as good as its harness) ---

test('FileSink harness: breakApp fails exactly that app with a real fs error, and the sync observer sees each fdatasync', async () => {
  const h = await fileHarness();
  try {
    await h.sink.open();
    await h.breakApp('b');
    const b = new RecordBatch();
    for (const app of ['a', 'b', 'c']) b.add(app, `{"app":"${app}"}\n`, AT);
    b.seal();
    let n = 0;
    const stop = h.observeSync!({ started: () => undefined, finished: () => { n++; } });
    let r: WriteResult;
    try {
      r = await h.sink.write(b);
    } finally {
      stop();
    }
    assert.deepEqual(Array.from(r.status), [RecordStatus.Delivered, RecordStatus.Errored, RecordStatus.Delivered]);
    assert.equal(r.failure?.reason, 'write_error');
    assert.match(r.failure!.message, /EEXIST|ENOTDIR/, 'the failure is the real mkdir/open error');
    assert.equal(h.datasyncs, 2, 'one fdatasync per written day file (a, c)');
    assert.ok(n >= 2, 'the observer was called');
    assert.ok(statSync(join(h.dir, 'b')).isFile(), 'the sink did not remove the blocking file');
    // the observer is restored: later syncs are not counted
    await h.sink.write(new RecordBatch().seal());
    const more = new RecordBatch();
    more.add('a', '{"again":1}\n', AT);
    await h.sink.write(more.seal());
    assert.equal(h.datasyncs, 2, 'FileHandle.prototype.datasync was restored');
  } finally {
    await h.sink.close();
    await h.cleanup();
  }
});

test('fault harness: the FaultSink forwards the per-app fault, its delay holds every write back', async () => {
  const h = await faultHarness();
  try {
    await h.sink.open();
    await h.breakApp('x');
    const b = new RecordBatch();
    b.add('x', 'x1\n', AT);
    b.add('y', 'y1\n', AT);
    b.seal();
    const t0 = performance.now();
    const r = await h.sink.write(b);
    assert.ok(performance.now() - t0 >= FAULT_DELAY_MS - 1);
    assert.deepEqual(Array.from(r.status), [RecordStatus.Errored, RecordStatus.Delivered]);
    assert.ok(h.sink.down !== null, 'the FaultSink took the inner down state');
    assert.deepEqual(h.mem.lines.get('y'), ['y1\n']);
    assert.equal(h.mem.lines.get('x'), undefined, 'nothing of the broken app reached the inner sink');
  } finally {
    await h.sink.close();
    await h.cleanup();
  }
});
