/**
 * Intake — the one pipeline object front-ends see — without sockets: parse → authorize →
 * quota → record → batcher → sinks (MemorySink / FaultSink). The batcher's flush interval and
 * the FaultSink's up-probe are driven by node:test mock timers (setTimeout only; setImmediate
 * stays real, MemorySink needs it), so nothing here sleeps.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type AppConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { FrameResult, Intake, RecordStatus, type Finalizer } from '../../src/pipeline/intake.js';
import type { FrameSource, Transport } from '../../src/record.js';
import type { Sink, SinkEntry } from '../../src/sinks/types.js';
import { FaultSink, MemorySink } from '../helpers/fault-sink.js';

const log = createLogger('silent');
const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN2 = 'c0ffee00-1111-4222-8333-444455556666';
const AT = Date.UTC(2026, 10, 21, 12);
const DAY_MS = 86_400_000;
const TOKEN_FIELDS = ['logsene-app-token'];

function appsOf(apps: unknown[]): readonly AppConfig[] {
  return validateConfig({ listen: { udp: { address: '127.0.0.1', port: 0 } }, apps }).apps;
}
const APPS = appsOf([{ name: 'a', token: TOKEN }, { name: 'ipapp', allowedSources: ['10.0.0.0/8'] }]);

const source = (transport: Transport = 'udp', address = '192.0.2.1'): FrameSource => ({ record: { address, port: 514, transport }, certFingerprint: null });

/** Yields `n` turns of the event loop (MemorySink answers after a setImmediate). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

interface Rig {
  intake: Intake;
  metrics: Metrics;
  events: string[];
  /** intake.frame on a fresh buffer with padding around the frame (start/end are honoured). */
  frame(text: string, o?: { src?: FrameSource; at?: number; fin?: Finalizer }): FrameResult;
  offer(text: string, o?: { src?: FrameSource; at?: number }): FrameResult;
}

async function rig(sinks: SinkEntry[], o: { apps?: readonly AppConfig[]; flushIntervalMs?: number; highWaterBytes?: number } = {}): Promise<Rig> {
  const metrics = new Metrics();
  const intake = new Intake({
    workers: 1,
    apps: o.apps ?? APPS,
    tokenFields: TOKEN_FIELDS,
    sinks,
    batching: { flushIntervalMs: o.flushIntervalMs ?? 1000, highWaterBytes: o.highWaterBytes ?? 1 << 20 },
    metrics,
    log,
  });
  const events: string[] = [];
  intake.on('pause', () => events.push('pause'));
  intake.on('resume', () => events.push('resume'));
  await intake.start();
  const pad = (text: string): [Buffer, number, number] => {
    const body = Buffer.from(text, 'utf8');
    return [Buffer.concat([Buffer.from('<<'), body, Buffer.from('>>')]), 2, 2 + body.length];
  };
  return {
    intake,
    metrics,
    events,
    frame: (text, f = {}) => { const [b, s, e] = pad(text); return intake.frame(b, s, e, false, f.src ?? source(), f.at ?? AT, f.fin); },
    offer: (text, f = {}) => { const [b, s, e] = pad(text); return intake.offer(b, s, e, false, f.src ?? source(), f.at ?? AT); },
  };
}

const tagLine = (token: string, msg: string): string => `<13>Nov 21 10:00:00 host ${token}: ${msg}`;
const parsed = (mem: MemorySink, app: string): Array<Record<string, unknown>> => (mem.lines.get(app) ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

function mockTimeouts(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setTimeout'] });
}

test('a token line is Stored for its app after the flush interval; no form of the token reaches the sink bytes', async (t) => {
  mockTimeouts(t);
  const mem = new MemorySink();
  const r = await rig([{ sink: mem, required: true }], { flushIntervalMs: 1000 });
  assert.equal(mem.opened, true, 'start() opens the sinks');
  const forms: Array<[string, string]> = [
    [tagLine(TOKEN, 'by tag'), 'tag'],
    [tagLine(TOKEN.toUpperCase(), 'by upper-case tag'), 'tag'],
    [`<13>Nov 21 10:00:00 host app: ${TOKEN} inline msg`, 'inline'],
    [`<13>1 2026-11-21T10:00:00.000Z host ${TOKEN} 1 - - rfc5424 msg`, 'app-name'],
    [`<13>Nov 21 10:00:00 host app: @cee: {"logsene-app-token":"${TOKEN}","message":"cee msg ${TOKEN}","k":1}`, 'cee'],
  ];
  for (const [text] of forms) assert.equal(r.frame(text), FrameResult.Stored, text);
  await turns();
  assert.equal(mem.lines.get('a'), undefined, 'nothing is written before the flush interval');
  t.mock.timers.tick(999);
  await turns();
  assert.equal(mem.lines.get('a'), undefined, 'still nothing at 999 ms');
  t.mock.timers.tick(1);
  await r.intake.drain();
  const lines = mem.lines.get('a') ?? [];
  assert.equal(lines.length, forms.length, 'the flush timer wrote the batch');
  for (const l of lines) {
    assert.ok(l.endsWith('\n') && l.indexOf('\n') === l.length - 1, 'one line per record');
    assert.ok(!l.toLowerCase().includes(TOKEN), `the token leaked into the sink bytes: ${l}`);
  }
  const recs = parsed(mem, 'a');
  assert.deepEqual(recs.map((x) => (x.syslog as { tokenSource: string }).tokenSource), forms.map(([, s]) => s));
  assert.deepEqual(recs.map((x) => x.message), ['by tag', 'by upper-case tag', 'inline msg', 'rfc5424 msg', 'cee msg']);
  assert.ok(recs.every((x) => x.app === 'a'));
  assert.equal(recs[4].k, 1, 'CEE keys are merged');
  assert.equal(recs[4]['logsene-app-token'], undefined, 'the token field is removed');
  assert.equal(r.metrics.storedEvents.get('a'), forms.length);
  assert.equal(r.metrics.receivedEvents.udp, forms.length);
  await r.intake.close();
  assert.equal(mem.closed, true, 'close() closes the sinks');
});

test('no token and no allowed source → Rejected and counted unauthorized; an allowed source is Stored', async () => {
  const mem = new MemorySink();
  const r = await rig([{ sink: mem, required: true }], { flushIntervalMs: 0 });
  assert.equal(r.frame('<13>Nov 21 10:00:00 host tag: no token here'), FrameResult.Rejected);
  assert.equal(r.frame(tagLine('2bfbea1e-10c3-4419-bdad-000000000000', 'unknown token')), FrameResult.Rejected);
  assert.equal(r.offer('<13>Nov 21 10:00:00 host tag: datagram, no token'), FrameResult.Rejected);
  assert.equal(r.frame('<13>Nov 21 10:00:00 host tag: from an allowed source', { src: source('tcp', '10.1.2.3') }), FrameResult.Stored);
  await r.intake.drain();
  assert.equal(r.metrics.rejected.unauthorized, 3);
  assert.equal(r.metrics.receivedEvents.udp, 3, 'rejected frames are counted as received');
  assert.equal(r.metrics.receivedEvents.tcp, 1);
  assert.deepEqual([...mem.lines.keys()], ['ipapp'], 'nothing of the rejected frames reached the sink');
  assert.equal((parsed(mem, 'ipapp')[0].syslog as { tokenSource: string }).tokenSource, 'ip');
  await r.intake.close();
});

test('high-water mark: pause event, offer() drops with queue_full while paused, frame() still stores; resume after the write', async (t) => {
  mockTimeouts(t);
  const mem = new MemorySink();
  const r = await rig([{ sink: mem, required: true }], { flushIntervalMs: 1000, highWaterBytes: 1000 });
  assert.equal(r.frame(tagLine(TOKEN, 'x'.repeat(1200))), FrameResult.Stored);
  assert.equal(r.intake.paused, true, 'over the high-water mark');
  assert.deepEqual(r.events, ['pause']);
  assert.equal(r.metrics.backpressurePauses, 1);
  assert.equal(r.offer(tagLine(TOKEN, 'dropped datagram')), FrameResult.Rejected);
  assert.equal(r.offer(tagLine(TOKEN, 'dropped datagram 2')), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.queue_full, 2);
  assert.equal(r.metrics.receivedEvents.udp, 3, 'dropped datagrams count as received');
  assert.equal(r.intake.healthy, true, 'backpressure is not a sink failure');
  assert.deepEqual(r.intake.health(), []);
  assert.equal(r.frame(tagLine(TOKEN, 'stream frame read before the pause took effect'), { src: source('tcp') }), FrameResult.Stored);
  t.mock.timers.tick(1000);
  await r.intake.drain();
  assert.equal(r.intake.paused, false);
  assert.deepEqual(r.events, ['pause', 'resume']);
  assert.equal(r.offer(tagLine(TOKEN, 'accepted datagram')), FrameResult.Stored);
  await r.intake.drain();
  assert.deepEqual(parsed(mem, 'a').map((x) => (x.message as string).slice(0, 20)), ['x'.repeat(20), 'stream frame read be', 'accepted datagram'], 'the dropped datagrams were never stored');
  await r.intake.close();
});

test('a required sink down (disk_full): pause, offer/frame dropped with its reason, a finalizer frame Stored → Errored, then Delivered; resume once up', async (t) => {
  mockTimeouts(t);
  let failing = true;
  const sink = new FaultSink(new MemorySink(), { fault: () => (failing ? enospc() : null), probeMs: 100 });
  const mem = sink.inner as MemorySink;
  const r = await rig([{ sink, required: true }], { flushIntervalMs: 1000 });
  assert.equal(r.frame(tagLine(TOKEN, 'lost')), FrameResult.Stored);
  await r.intake.drain(); // the write fails: the sink goes down
  assert.deepEqual(r.events, ['pause'], 'a required sink going down pauses intake');
  assert.equal(r.intake.paused, true);
  assert.equal(r.intake.healthy, false);
  const health = r.intake.health();
  assert.equal(health.length, 1, `one down sink: ${JSON.stringify(health)}`);
  assert.match(health[0], /memory/, 'names the sink');
  assert.match(health[0], /ENOSPC: no space left on device, write/, 'with its failure');
  assert.doesNotMatch(health[0], /optional/);
  assert.equal(r.metrics.rejected.disk_full, 1, 'the record nobody waited for is lost and counted');
  assert.equal(r.metrics.storeWriteErrors, 1);

  assert.equal(r.offer(tagLine(TOKEN, 'datagram while down')), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.disk_full, 2, 'offer() drops with the down reason, not queue_full');
  assert.equal(r.metrics.rejected.queue_full, 0);
  assert.equal(r.frame(tagLine(TOKEN, 'stream frame while down'), { src: source('tcp') }), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.disk_full, 3, 'a frame without a finalizer is dropped with the down reason');

  const outcomes: Array<[string, RecordStatus]> = [];
  assert.equal(r.frame(tagLine(TOKEN, 'relp 1'), { src: source('relp'), fin: (s) => outcomes.push(['relp 1', s]) }), FrameResult.Stored);
  assert.equal(outcomes.length, 0, 'the finalizer runs only once the sink answered');
  await r.intake.drain();
  assert.deepEqual(outcomes, [['relp 1', RecordStatus.Errored]], 'still failing: the finalizer is told Errored');
  assert.equal(r.metrics.rejected.disk_full, 3, 'a record with a waiter is not counted lost (it will be resent)');

  assert.equal(r.frame(tagLine(TOKEN, 'relp 2'), { src: source('relp'), fin: (s) => outcomes.push(['relp 2', s]) }), FrameResult.Stored);
  failing = false; // the disk has room again before the write (at the next turn) happens
  await r.intake.drain();
  assert.deepEqual(outcomes.at(-1), ['relp 2', RecordStatus.Delivered]);
  assert.deepEqual(parsed(mem, 'a').map((x) => x.message), ['relp 2'], 'only the delivered record is stored');
  assert.equal(r.intake.paused, true, 'still paused until the sink reports up');

  t.mock.timers.tick(100); // the FaultSink's probe sees the fault gone
  assert.deepEqual(r.events, ['pause', 'resume']);
  assert.equal(r.intake.paused, false);
  assert.equal(r.intake.healthy, true);
  assert.deepEqual(r.intake.health(), []);
  assert.equal(r.offer(tagLine(TOKEN, 'datagram after')), FrameResult.Stored);
  await r.intake.drain();
  assert.deepEqual(parsed(mem, 'a').map((x) => x.message), ['relp 2', 'datagram after']);
  await r.intake.close();
});

test('health() names down sinks: a down optional sink is listed as optional but neither pauses nor makes intake unhealthy', async () => {
  // a memory sink that calls itself `file`, as the FileSink does
  const m = new MemorySink();
  const fileNamed: Sink = { name: 'file', down: null, open: () => m.open(), write: (b) => m.write(b), onDownChange: () => undefined, close: () => m.close() };
  let failing = true;
  const optional = new FaultSink(fileNamed, { fault: () => (failing ? Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }) : null), probeMs: 5 });
  const required = new MemorySink();
  const r = await rig([{ sink: required, required: true }, { sink: optional, required: false }], { flushIntervalMs: 0 });
  const outcomes: RecordStatus[] = [];
  assert.equal(r.frame(tagLine(TOKEN, 'm'), { fin: (s) => outcomes.push(s) }), FrameResult.Stored);
  await r.intake.drain();
  assert.deepEqual(outcomes, [RecordStatus.Delivered], 'the optional sink failing does not fail the record');
  const health = r.intake.health();
  assert.equal(health.length, 1, `one down sink: ${JSON.stringify(health)}`);
  assert.match(health[0], /\b(file|store)\b/, 'names the sink');
  assert.match(health[0], /EIO: i\/o error/, 'with its failure');
  assert.match(health[0], /optional/, 'says it is optional');
  assert.equal(r.intake.healthy, true);
  assert.equal(r.intake.paused, false);
  assert.deepEqual(r.events, []);
  assert.equal(r.offer(tagLine(TOKEN, 'datagram')), FrameResult.Stored, 'offer() is not dropped for an optional sink');
  failing = false;
  await r.intake.close();
});

test('quota: rate-limited frames are Throttled only with a finalizer (nothing counted), Rejected rate_limited without; daily cap likewise', async () => {
  const apps = appsOf([
    { name: 'a', token: TOKEN, maxEventsPerSecond: 1, burstEvents: 1 },
    { name: 'vol', token: TOKEN2, maxBytesPerDay: 150 },
  ]);
  const mem = new MemorySink();
  const r = await rig([{ sink: mem, required: true }], { apps, flushIntervalMs: 0 });
  const fin: RecordStatus[] = [];
  assert.equal(r.frame(tagLine(TOKEN, 'first')), FrameResult.Stored);
  assert.equal(r.frame(tagLine(TOKEN, 'no finalizer'), { src: source('tcp') }), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.rate_limited, 1);
  assert.equal(r.frame(tagLine(TOKEN, 'relp'), { src: source('relp'), fin: (s) => fin.push(s) }), FrameResult.Throttled);
  assert.equal(r.metrics.rejected.rate_limited, 1, 'a throttled frame is not counted as dropped');
  assert.equal(r.metrics.receivedEvents.relp, 0, 'nor as received (it is counted when retried)');
  assert.equal(r.intake.retryAtMs, AT + 1000, 'retry when the bucket has a token again');
  await r.intake.drain();
  assert.equal(fin.length, 0, 'a throttled frame never calls its finalizer');
  assert.equal(r.frame(tagLine(TOKEN, 'relp'), { src: source('relp'), at: r.intake.retryAtMs, fin: (s) => fin.push(s) }), FrameResult.Stored, 'the retry at retryAtMs is accepted');
  await r.intake.drain();
  assert.deepEqual([...fin], [RecordStatus.Delivered]);
  assert.equal(r.metrics.receivedEvents.relp, 1);

  const v = tagLine(TOKEN2, 'v'.repeat(40));
  assert.ok(Buffer.byteLength(v) <= 150 && 2 * Buffer.byteLength(v) > 150, 'one frame fits into the 150 bytes a day, two do not');
  assert.equal(r.frame(v), FrameResult.Stored);
  assert.equal(r.frame(v), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.over_daily_volume, 1);
  assert.equal(r.frame(v, { src: source('relp'), fin: (s) => fin.push(s) }), FrameResult.Throttled);
  assert.equal(r.intake.retryAtMs, (Math.floor(AT / DAY_MS) + 1) * DAY_MS, 'retry at the next UTC midnight');
  assert.equal(r.metrics.rejected.over_daily_volume, 1);
  assert.equal(r.frame(v, { at: r.intake.retryAtMs }), FrameResult.Stored, 'a new UTC day, a new allowance');
  await r.intake.drain();
  assert.deepEqual(parsed(mem, 'a').map((x) => x.message), ['first', 'relp']);
  assert.equal(parsed(mem, 'vol').length, 2);
  await r.intake.close();
});

test('configure() applies to the next frame: a revoked token is unauthorized, a new one works, quotas change', async () => {
  const mem = new MemorySink();
  const r = await rig([{ sink: mem, required: true }], { flushIntervalMs: 0 });
  assert.equal(r.frame(tagLine(TOKEN, 'before')), FrameResult.Stored);
  r.intake.configure(appsOf([{ name: 'a', token: TOKEN2, maxEventsPerSecond: 1, burstEvents: 1 }]), ['tok']);
  assert.equal(r.frame(tagLine(TOKEN, 'revoked')), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.unauthorized, 1);
  assert.equal(r.frame(tagLine(TOKEN2, 'new token')), FrameResult.Stored);
  assert.equal(r.frame(tagLine(TOKEN2, 'over the new quota')), FrameResult.Rejected);
  assert.equal(r.metrics.rejected.rate_limited, 1);
  // the new token fields apply too: the old field no longer carries a token, the new one does
  assert.equal(r.frame(`<13>Nov 21 10:00:00 host app: @cee: {"logsene-app-token":"${TOKEN2}","message":"old field"}`, { at: AT + 5000 }), FrameResult.Rejected);
  assert.equal(r.frame(`<13>Nov 21 10:00:00 host app: @cee: {"tok":"${TOKEN2}","message":"new field"}`, { at: AT + 5000 }), FrameResult.Stored);
  await r.intake.drain();
  assert.deepEqual(parsed(mem, 'a').map((x) => x.message), ['before', 'new token', 'new field']);
  for (const l of mem.lines.get('a')!) assert.ok(!l.includes(TOKEN2) && !l.includes(TOKEN));
  await r.intake.close();
});

// regression: frame() once counted `ceeInvalid` before the quota check, so a Throttled frame —
// documented as "nothing was counted or stored" — was counted again on every retry.
test('a Throttled frame counts nothing: not even ceeInvalid (retries would count it again)', async () => {
  const apps = appsOf([{ name: 'a', token: TOKEN, maxEventsPerSecond: 1, burstEvents: 1 }]);
  const r = await rig([{ sink: new MemorySink(), required: true }], { apps, flushIntervalMs: 0 });
  try {
    assert.equal(r.frame(tagLine(TOKEN, 'uses the only token'), { src: source('relp'), fin: () => undefined }), FrameResult.Stored);
    const bad = tagLine(TOKEN, '@cee: {not json');
    assert.equal(r.frame(bad, { src: source('relp'), fin: () => undefined }), FrameResult.Throttled);
    assert.equal(r.metrics.receivedEvents.relp, 1, 'not counted as received');
    assert.equal(r.metrics.ceeInvalid, 0, 'a throttled frame must not be counted as invalid CEE');
  } finally {
    await r.intake.close();
  }
});
