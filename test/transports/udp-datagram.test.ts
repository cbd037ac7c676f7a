/**
 * The UDP front-end's per-datagram rules (trailer trim, truncation, shared sources) and its
 * receive-buffer report (Linux reads back double what it grants).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../src/logger.js';
import { logRecvBuffer, offerDatagram, UdpSources } from '../../src/transports/udp-datagram.js';
import { Metrics } from '../../src/metrics.js';
import type { Intake } from '../../src/pipeline/intake.js';

test('offerDatagram: one LF, CRLF or NUL trimmed; empty ignored; longer than the limit cut and marked', () => {
  const offers: Array<[string, boolean]> = [];
  const intake = { offer: (buf: Buffer, start: number, end: number, truncated: boolean) => offers.push([buf.toString('latin1', start, end), truncated]) } as unknown as Intake;
  const metrics = new Metrics();
  const src = new UdpSources().get('192.0.2.1', 514);
  const offer = (text: string, max = 100, pad = 0): void => {
    const buf = Buffer.from('#'.repeat(pad) + text + '#');
    offerDatagram(intake, metrics, buf, pad, buf.length - 1, max, src, 0);
  };
  offer('<13>hi\n');
  offer('<13>hi\r\n', 100, 3);
  offer('<13>hi\0');
  offer('<13>hi\n\n');
  offer('\n');
  offer('<13>' + 'x'.repeat(600), 480, 5);
  offer('<13>' + 'x'.repeat(476), 480);
  assert.deepEqual(offers, [['<13>hi', false], ['<13>hi', false], ['<13>hi', false], ['<13>hi\n', false], ['<13>' + 'x'.repeat(476), true], ['<13>' + 'x'.repeat(476), false]]);
  assert.equal(metrics.receivedBytes.udp, 7 + 8 + 7 + 8 + 1 + 604 + 480, 'every byte received is counted, empty datagrams too');
});

test('UdpSources: one shared source per sender address and port', () => {
  const s = new UdpSources();
  const a = s.get('192.0.2.1', 514);
  assert.equal(s.get('192.0.2.1', 514), a);
  assert.notEqual(s.get('192.0.2.1', 515), a);
  assert.deepEqual(a, { record: { address: '192.0.2.1', port: 514, transport: 'udp' }, certFingerprint: null });
});

test('logRecvBuffer: warns when the kernel granted less than asked, reading Linux\'s doubled value', () => {
  const lines: Array<[string, string]> = [];
  const log = { info: (_o: unknown, m: string) => lines.push(['info', m]), warn: (_o: unknown, m: string) => lines.push(['warn', m]) } as unknown as Logger;
  const linux = process.platform === 'linux';
  logRecvBuffer(log, 'listen.udp', { requestedBytes: 1 << 20, grantedBytes: linux ? 2 << 20 : 1 << 20 });
  logRecvBuffer(log, 'listen.udp', { requestedBytes: 8 << 20, grantedBytes: linux ? 8 << 20 : 4 << 20 });
  logRecvBuffer(log, 'listen.udp', { requestedBytes: 0, grantedBytes: 212992 });
  logRecvBuffer(log, 'listen.udp', { requestedBytes: 1 << 20, grantedBytes: -1, error: 'EPERM' });
  assert.deepEqual(lines.map(([level]) => level), ['info', 'warn', 'info', 'warn']);
  assert.match(lines[1][1], /net\.core\.rmem_max/);
  assert.match(lines[3][1], /could not set/);
});
