/**
 * The UDP front-end's per-datagram rules (trailer trim, truncation, shared sources) and its
 * receive-buffer report (Linux reads back double what it grants).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../src/logger.js';
import { datagramEnd, logRecvBuffer, UdpSources } from '../../src/transports/udp-datagram.js';

test('datagramEnd: one LF, CRLF or NUL trimmed; longer than the limit is cut and says so', () => {
  assert.equal(datagramEnd(Buffer.from('<13>hi\n'), 100), 6);
  assert.equal(datagramEnd(Buffer.from('<13>hi\r\n'), 100), 6);
  assert.equal(datagramEnd(Buffer.from('<13>hi\0'), 100), 6);
  assert.equal(datagramEnd(Buffer.from('<13>hi\n\n'), 100), 7, 'only one trailer');
  assert.equal(datagramEnd(Buffer.from('\n'), 100), 0, 'empty');
  const cut = datagramEnd(Buffer.from('<13>' + 'x'.repeat(600)), 480);
  assert.ok(cut < 0);
  assert.equal(-cut - 1, 480);
  assert.equal(datagramEnd(Buffer.from('<13>' + 'x'.repeat(476)), 480), 480, 'exactly the limit is not cut');
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
