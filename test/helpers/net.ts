/** Small real-socket clients for tests (bounded: every call has a timeout). */
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';

/** A TCP port that was free on `host` a moment ago (for a server that must be told its port, or come back on the same one). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Connects, writes `data` (in the given chunks, if an array), half-closes, waits for close. */
export function sendTcp(port: number, data: string | Buffer | Array<string | Buffer>, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ port, host }, () => {
      const parts = Array.isArray(data) ? data : [data];
      for (const p of parts) s.write(p);
      s.end();
    });
    const t = setTimeout(() => { s.destroy(); reject(new Error('sendTcp timeout')); }, timeoutMs);
    s.on('error', (e) => { clearTimeout(t); reject(e); });
    s.on('close', () => { clearTimeout(t); resolve(); });
    s.resume();
  });
}

/** Sends each payload as one UDP datagram. */
export async function sendUdp(port: number, payloads: Array<string | Buffer>, host = '127.0.0.1'): Promise<void> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const p of payloads) await new Promise<void>((res, rej) => s.send(p, port, host, (e) => (e ? rej(e) : res())));
  } finally {
    s.close();
  }
}
