/** A minimal RELP client for tests: raw frames over a real socket, responses parsed as they arrive. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { RelpFrameParser } from '../../src/framing/relp-frame.js';
import { relp } from './frames.js';

export interface RelpResponse { txnr: number; command: string; data: string; atMs: number }

export class RelpTestClient {
  readonly responses: RelpResponse[] = [];
  error: string | null = null;
  closed = false;
  private waiters: Array<() => void> = [];
  private nextTxnr = 1;

  private constructor(readonly socket: Socket) {
    const parser = new RelpFrameParser(1 << 20, {
      frame: (txnr, command, data, s, e) => { this.responses.push({ txnr, command, data: data.toString('utf8', s, e), atMs: Date.now() }); this.wake(); },
      error: (reason) => { this.error = reason; this.wake(); },
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => undefined);
  }

  static connect(port: number, tls?: ConnectionOptions): Promise<RelpTestClient> {
    return new Promise((resolve, reject) => {
      const s = tls ? tlsConnect({ port, host: '127.0.0.1', ...tls }) : connect({ port, host: '127.0.0.1' });
      s.setNoDelay(true);
      s.once(tls ? 'secureConnect' : 'connect', () => resolve(new RelpTestClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void { for (const w of this.waiters.splice(0)) w(); }

  /** Sends a frame with the next txnr (or `txnr` if given); returns the txnr used. */
  send(command: string, data = '', txnr = this.nextTxnr++): number {
    this.socket.write(relp(txnr, command, data));
    return txnr;
  }

  /** Sends `open` with librelp's offers (or `offers`). */
  open(offers = 'relp_version=0\nrelp_software=test,1\ncommands=syslog'): number { return this.send('open', offers); }

  /** Waits until `cond` holds (checked on every response/close), at most `timeoutMs`. */
  async until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out; responses: ${JSON.stringify(this.responses.slice(-3))} closed=${this.closed}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
  }

  /** The response to `txnr`, if any. */
  rsp(txnr: number): RelpResponse | undefined { return this.responses.find((r) => r.txnr === txnr && r.command === 'rsp'); }

  destroy(): void { this.socket.destroy(); }
}
