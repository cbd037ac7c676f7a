/**
 * Disk full on a real small filesystem (a 2 MiB tmpfs the test mounts; where it cannot mount,
 * a fault-injecting sink around the file store fails writes with ENOSPC instead): RELP answers rsp 500,
 * stream sockets are paused, UDP drops are counted, /healthz turns 503, and intake resumes by
 * itself when space returns — with no torn or corrupted file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { connect } from 'node:net';
import { sendTcp, sendUdp } from '../helpers/net.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { withFaults } from '../helpers/fault-sink.js';
import { rfc3164 } from '../helpers/frames.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

/** Mounts a 2 MiB tmpfs at `dir`; false when this machine does not allow it. */
function mountTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const mode of ['tmpfs', 'fault injection'] as const) test(`disk full (${mode}): rsp 500, streams paused, UDP counted, /healthz 503, resumes when space returns`, async (t) => {
  const tmp = tmpDir('srx-full-');
  const root = tmp.path;
  const mnt = join(root, 'mnt');
  mkdirSync(mnt);
  const real = mode === 'tmpfs' && mountTmpfs(mnt);
  if (mode === 'tmpfs' && !real) t.diagnostic('mount not permitted here: this case runs with ENOSPC by fault injection instead');
  let full = false;
  const filler = join(mnt, 'filler');
  const storeFault = real ? undefined : (): NodeJS.ErrnoException | null => (full ? Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) : null);
  const { rx, config } = await startReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, udp: { address: '127.0.0.1', port: 0 }, relp: { address: '127.0.0.1', port: 0 }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: join(mnt, 'data'), flushIntervalMs: 5 },
    certsDir: join(root, 'certs'),
    logLevel: 'silent',
  }, storeFault ? { sinks: withFaults({ fault: storeFault }) } : {});
  const health = async (): Promise<number> => (await fetch(`http://127.0.0.1:${rx.addresses.admin!.port}/healthz`)).status;
  try {
    await sendTcp(rx.addresses.tcp!.port, `h ${TOKEN}: before\n`);
    await rx.flush();
    assert.equal(await health(), 200);
    // fill the disk
    if (real) {
      const free = statfsSync(mnt).bavail * statfsSync(mnt).bsize;
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - 2048)));
    }
    full = true;
    const relp = await RelpTestClient.connect(rx.addresses.relp!.port);
    relp.open();
    const big = rfc3164('h', TOKEN, 'y'.repeat(8000));
    const t1 = relp.send('syslog', big);
    await relp.until(() => relp.rsp(t1) !== undefined);
    assert.match(relp.rsp(t1)!.data, /^500 /, 'RELP: rsp 500 when the write fails');
    assert.equal(await health(), 503);
    // while down: UDP is dropped and counted; TCP is paused (read later, nothing lost)
    await sendUdp(rx.addresses.udp!.port, [`h ${TOKEN}: udp while full`]);
    const tcpLines = Array.from({ length: 20 }, (_, i) => `h ${TOKEN}: tcp while full ${i}\n`);
    const paused = connect({ port: rx.addresses.tcp!.port, host: '127.0.0.1' });
    paused.on('error', () => undefined);
    paused.end(tcpLines.join('')); // not read while the store is down: the receiver does not close it yet
    await sleep(300);
    const st = rx.stats() as { rejected: { disk_full: number }; receivedEvents: { tcp: number }; relpFailed: number };
    assert.equal(st.rejected.disk_full, 1, `the UDP datagram is counted as lost (disk_full): ${JSON.stringify(st.rejected)}`);
    assert.equal(st.relpFailed, 1, 'the RELP frame is counted as answered 500, not as lost: the client resends it');
    assert.equal(st.receivedEvents.tcp, 1, 'TCP lines are not read while the store is down');
    // space returns: intake resumes by itself
    if (real) rmSync(filler);
    full = false;
    const t2 = relp.send('syslog', rfc3164('h', TOKEN, 'after'));
    await relp.until(() => relp.rsp(t2) !== undefined, 10_000);
    assert.equal(relp.rsp(t2)!.data, '200 OK');
    // no throw on timeout: the assertions below say what is missing
    await waitFor(() => readStore(config.storage.dir, 'a').length >= 22, { timeoutMs: 5000, intervalMs: 50, onTimeout: 'return' });
    assert.equal(await health(), 200);
    const msgs = readStore(config.storage.dir, 'a').map((r) => r.message);
    assert.equal(msgs[0], 'before');
    assert.ok(tcpLines.every((l) => msgs.includes(l.slice(l.indexOf(': ') + 2, -1))), 'the paused TCP lines were all stored');
    assert.ok(msgs.includes('after'));
    // no torn or corrupted file: every file ends with LF and every line parses (readStore checks both)
    for (const f of readdirSync(join(config.storage.dir, 'a'))) {
      const text = readFileSync(join(config.storage.dir, 'a', f), 'utf8');
      assert.ok(text.endsWith('\n'));
      for (const l of text.trimEnd().split('\n')) JSON.parse(l);
    }
  } finally {
    await rx.stop();
    if (real) execFileSync('umount', [mnt]);
    tmp.cleanup();
  }
});
