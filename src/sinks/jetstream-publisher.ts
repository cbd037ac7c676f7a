/**
 * Pipelined publishing to JetStream (groundwork of the JetStream sink, the scale-out issue).
 *
 * A JetStream publish is a core NATS publish whose reply subject receives the stream's PubAck
 * (`{"stream":"S","seq":N,"duplicate":true?}`) or an error (`{"error":{"code":…}}`, or a
 * 503 status message when no stream listens: "no responders"). `@nats-io/jetstream`'s
 * `js.publish()` makes one request per message and reached ~12k msg/s here; this publisher
 * subscribes once to `<inbox>.*`, publishes each message with reply `<inbox>.<n>` and matches
 * the PubAcks itself (as nats.go's PublishAsync does): ~87k msg/s on one connection here.
 *
 * `Nats-Msg-Id` is set from the caller's id, so a resend of the same id within the stream's
 * duplicate window is answered `duplicate: true` and stored once.
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** What JetStream answered for one message. */
export interface PubAck {
  stream: string;
  /** Stream sequence of the stored message (of the original when `duplicate`). */
  seq: number;
  /** True when the message id was seen within the duplicate window: not stored again. */
  duplicate: boolean;
}

/** Why a publish failed: `timeout` (no answer in `ackTimeoutMs`), `no_responders` (no stream for the subject), `stream_error` (JetStream's error, e.g. 10077 maximum bytes exceeded), `closed`. */
export type PublishFailure = 'timeout' | 'no_responders' | 'stream_error' | 'closed';

export class PublishError extends Error {
  constructor(readonly reason: PublishFailure, message: string, readonly code?: number) {
    super(message);
  }
}

/** Called once per publish, on the connection's callback (no promise per message). */
export type PublishCallback = (err: PublishError | null, ack: PubAck | null) => void;

interface Pending {
  cb: PublishCallback;
  sentAtMs: number;
}

const decoder = new TextDecoder();

export class JetStreamPublisher {
  private readonly inbox = createInbox();
  private readonly prefixLength = this.inbox.length + 1;
  private readonly sub: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private readonly sweep: NodeJS.Timeout;

  /**
   * @param nc an open connection
   * @param ackTimeoutMs a publish with no answer after this long fails with `timeout`, ms
   */
  constructor(private readonly nc: NatsConnection, private readonly ackTimeoutMs: number) {
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.answer(m) });
    this.sweep = setInterval(() => this.expire(Date.now()), Math.max(10, ackTimeoutMs / 4));
    this.sweep.unref();
  }

  /** Publishes not yet answered. */
  get inFlight(): number { return this.pending.size; }

  /**
   * Publishes `payload` to `subject` with `Nats-Msg-Id: msgId`; `cb` gets the PubAck or the failure.
   * @throws never: a closed connection is reported through `cb` (`closed`)
   */
  publish(subject: string, payload: Uint8Array, msgId: string, cb: PublishCallback): void {
    const n = this.next++;
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    try {
      this.nc.publish(subject, payload, { reply: `${this.inbox}.${n}`, headers: h });
    } catch (err) {
      cb(new PublishError('closed', (err as Error).message), null);
      return;
    }
    this.pending.set(n, { cb, sentAtMs: Date.now() });
  }

  private answer(m: Msg): void {
    const n = Number(m.subject.slice(this.prefixLength));
    const p = this.pending.get(n);
    if (p === undefined) return; // answered after its timeout: already failed
    this.pending.delete(n);
    if (m.data.length === 0) {
      const code = m.headers?.code ?? 0;
      p.cb(new PublishError(code === 503 ? 'no_responders' : 'stream_error', `status ${code} ${m.headers?.description ?? ''}`.trim(), code), null);
      return;
    }
    let a: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; err_code?: number; description?: string } };
    try {
      a = JSON.parse(decoder.decode(m.data)) as typeof a;
    } catch {
      p.cb(new PublishError('stream_error', 'PubAck is not JSON'), null);
      return;
    }
    if (a.error !== undefined || typeof a.seq !== 'number') {
      p.cb(new PublishError('stream_error', a.error?.description ?? 'PubAck without seq', a.error?.err_code ?? a.error?.code), null);
      return;
    }
    p.cb(null, { stream: a.stream ?? '', seq: a.seq, duplicate: a.duplicate === true });
  }

  /** Fails every publish older than `ackTimeoutMs` (insertion order = send order). */
  private expire(nowMs: number): void {
    for (const [n, p] of this.pending) {
      if (nowMs - p.sentAtMs < this.ackTimeoutMs) break;
      this.pending.delete(n);
      p.cb(new PublishError('timeout', `no PubAck within ${this.ackTimeoutMs} ms`), null);
    }
  }

  /** Fails what is still pending (`closed`) and stops listening. */
  close(): void {
    clearInterval(this.sweep);
    this.sub.unsubscribe();
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) p.cb(new PublishError('closed', 'publisher closed'), null);
  }
}
