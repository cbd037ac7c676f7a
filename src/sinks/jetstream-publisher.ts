/**
 * Pipelined publishing to JetStream (the JetStream sink's hot path, the scale-out issue).
 *
 * A JetStream publish is a core NATS publish whose reply subject receives the stream's PubAck
 * (`{"stream":"S","seq":N,"duplicate":true?}`) or an error (`{"error":{"code":…}}`, or a
 * 503 status message when no stream listens: "no responders"). `@nats-io/jetstream`'s
 * `js.publish()` makes one request per message (~12k msg/s here); this publisher subscribes
 * once to `<inbox>.*`, publishes each message with reply `<inbox>.<n>` and matches the PubAcks
 * itself, as nats.go's PublishAsync does.
 *
 * The frames are encoded here, not by the client library: each publish appends one NATS
 * protocol `HPUB` frame (protocol line, `NATS/1.0` header block with `Nats-Msg-Id`, payload,
 * CRLF — the NATS client protocol's HPUB, as the library itself writes it) to a large chunk,
 * and the chunk goes to the connection's outbound queue in one piece (`protocol.sendCommand`,
 * the same queue `nc.publish()` uses, so reconnects, TLS and flushing stay the library's). That
 * costs no header object, string or encoder call per message. When the library does not
 * expose that queue (another version), every message goes through `nc.publish()` instead.
 *
 * `Nats-Msg-Id` is `<idPrefix><id>`, so a resend of the same id within the stream's duplicate
 * window is answered `duplicate: true` and stored once.
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** What JetStream answered for one message. */
export interface PubAck {
  /** Stream sequence of the stored message (of the original when `duplicate`). */
  seq: number;
  /** True when the message id was seen within the duplicate window: not stored again. */
  duplicate: boolean;
}

/**
 * Why a publish failed: `timeout` (no answer in `ackTimeoutMs`), `no_responders` (no stream for
 * the subject), `stream_error` (JetStream's error, e.g. 10077 maximum bytes exceeded), `closed`
 * (the connection is closed or draining), `too_large` (over the server's `max_payload`: never
 * sent, resending cannot help).
 */
export type PublishFailure = 'timeout' | 'no_responders' | 'stream_error' | 'closed' | 'too_large';

export class PublishError extends Error {
  constructor(readonly reason: PublishFailure, message: string, readonly code?: number) {
    super(message);
  }
}

/** Called once per publish with the caller's `token`, on the connection's callback (no promise per message). */
export type PublishCallback = (token: number, err: PublishError | null, ack: PubAck | null) => void;

/** The parts of nats-core's ProtocolHandler this publisher writes to (not part of its typed API). */
interface Protocol {
  sendCommand(frame: Uint8Array): void;
  info?: { max_payload?: number };
  noMorePublishing?: boolean;
}

const CHUNK_BYTES = 256 * 1024;
const HPUB = Buffer.from('HPUB ');
const HEADER = Buffer.from('NATS/1.0\r\nNats-Msg-Id: ');
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const SEQ = Buffer.from('"seq":');
const DUPLICATE = Buffer.from('"duplicate":');
const ERROR = Buffer.from('"error"');
const decoder = new TextDecoder();

/** The first index at or after `i` that is not a space. */
function skipSpaces(d: Buffer, i: number): number {
  while (d[i] === 0x20) i++;
  return i;
}

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) { n = Math.floor(n / 10); d++; }
  return d;
}

/** Writes `n` (non-negative integer) in decimal at `buf[at]`. @returns the offset after it */
function writeInt(buf: Buffer, at: number, n: number): number {
  const end = at + digits(n);
  let i = end;
  do { buf[--i] = 48 + (n % 10); n = Math.floor(n / 10); } while (n > 0);
  return end;
}

export class JetStreamPublisher {
  private readonly inbox = createInbox();
  /** `<inbox>.` as bytes (the start of every reply subject). */
  private readonly replyPrefix: Buffer;
  private readonly idPrefix: Buffer;
  private readonly sub: Subscription;
  private readonly pending = new Map<number, { token: number; cb: PublishCallback; sentAtMs: number }>();
  private readonly subjects = new Map<string, Buffer>();
  private readonly protocol: Protocol | null;
  private next = 0;
  private chunk: Buffer = Buffer.allocUnsafe(0);
  private used = 0;
  private flushQueued = false;
  private readonly sweep: NodeJS.Timeout;

  /**
   * @param nc an open connection
   * @param ackTimeoutMs a publish with no answer after this long fails with `timeout`, ms
   * @param idPrefix first part of every `Nats-Msg-Id` (the id number follows)
   */
  constructor(private readonly nc: NatsConnection, private readonly ackTimeoutMs: number, private readonly idPrefixText: string) {
    this.replyPrefix = Buffer.from(`${this.inbox}.`);
    this.idPrefix = Buffer.from(idPrefixText);
    const protocol = (nc as unknown as { protocol?: Protocol }).protocol;
    this.protocol = typeof protocol?.sendCommand === 'function' ? protocol : null;
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.answer(m) });
    this.sweep = setInterval(() => this.expire(Date.now()), Math.max(10, ackTimeoutMs / 4));
    this.sweep.unref();
  }

  /** Publishes not yet answered. */
  get inFlight(): number { return this.pending.size; }

  /**
   * Publishes `payload` to `subject` with `Nats-Msg-Id: <idPrefix><id>`; `cb(token, …)` gets
   * the PubAck or the failure. Frames are sent at the end of the current task (or when a chunk
   * fills up). `subject` must be a valid subject (the sink builds it from checked app names).
   * @throws never: a closed connection (`closed`) or an oversized message (`too_large`) is
   *   reported through `cb`, synchronously
   */
  publish(subject: string, payload: Uint8Array, id: number, token: number, cb: PublishCallback): void {
    const n = this.next++;
    if (this.nc.isClosed() || this.protocol?.noMorePublishing === true) {
      cb(token, new PublishError('closed', 'connection closed'), null);
      return;
    }
    const hlen = HEADER.length + this.idPrefix.length + digits(id) + CRLFCRLF.length;
    const total = hlen + payload.length;
    const max = this.protocol?.info?.max_payload ?? Infinity;
    if (total > max) {
      cb(token, new PublishError('too_large', `message of ${total} bytes is over the server's max_payload (${max} bytes)`), null);
      return;
    }
    if (this.protocol === null) {
      const h = headers();
      h.set('Nats-Msg-Id', `${this.idPrefixText}${id}`);
      this.nc.publish(subject, payload, { reply: `${this.inbox}.${n}`, headers: h });
    } else {
      this.writeFrame(subject, payload, id, n, hlen, total);
    }
    this.pending.set(n, { token, cb, sentAtMs: Date.now() });
  }

  /** `HPUB <subject> <inbox>.<n> <hlen> <total>\r\nNATS/1.0\r\nNats-Msg-Id: <id>\r\n\r\n<payload>\r\n` into the chunk. */
  private writeFrame(subject: string, payload: Uint8Array, id: number, n: number, hlen: number, total: number): void {
    let s = this.subjects.get(subject);
    if (s === undefined) {
      s = Buffer.from(`${subject} `);
      if (this.subjects.size > 10_000) this.subjects.clear();
      this.subjects.set(subject, s);
    }
    const size = HPUB.length + s.length + this.replyPrefix.length + 3 * 16 + 4 + hlen + payload.length + CRLF.length;
    if (this.chunk.length - this.used < size) {
      this.flush();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
    }
    const b = this.chunk;
    let at = this.used;
    at += HPUB.copy(b, at);
    at += s.copy(b, at);
    at += this.replyPrefix.copy(b, at);
    at = writeInt(b, at, n);
    b[at++] = 0x20;
    at = writeInt(b, at, hlen);
    b[at++] = 0x20;
    at = writeInt(b, at, total);
    at += CRLF.copy(b, at);
    at += HEADER.copy(b, at);
    at += this.idPrefix.copy(b, at);
    at = writeInt(b, at, id);
    at += CRLFCRLF.copy(b, at);
    b.set(payload, at);
    at += payload.length;
    at += CRLF.copy(b, at);
    this.used = at;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Hands the frames written so far to the connection (its outbound queue keeps the chunk, so a new one follows). */
  private flush(): void {
    this.flushQueued = false;
    if (this.used === 0) return;
    const frames = this.chunk.subarray(0, this.used);
    this.chunk = this.chunk.subarray(this.used);
    this.used = 0;
    if (this.nc.isClosed()) return; // their publishes fail as timeouts, or with close()
    this.protocol!.sendCommand(frames);
  }

  private answer(m: Msg): void {
    const n = Number(m.subject.slice(this.replyPrefix.length));
    const p = this.pending.get(n);
    if (p === undefined) return; // answered after its timeout: already failed
    this.pending.delete(n);
    const data = m.data;
    if (data.length === 0) {
      const code = m.headers?.code ?? 0;
      p.cb(p.token, new PublishError(code === 503 ? 'no_responders' : 'stream_error', `status ${code} ${m.headers?.description ?? ''}`.trim(), code), null);
      return;
    }
    const d = Buffer.from(data.buffer, data.byteOffset, data.length);
    const at = d.indexOf(SEQ);
    if (at >= 0 && d.indexOf(ERROR) < 0) {
      // `{"stream":"S", "seq":N[,"duplicate": true]…}` (nats-server 2.9's spacing): no JSON.parse
      let i = skipSpaces(d, at + SEQ.length);
      const first = i;
      let seq = 0;
      while (i < d.length && d[i] >= 48 && d[i] <= 57) seq = seq * 10 + d[i++] - 48;
      if (i > first) {
        const dup = d.indexOf(DUPLICATE);
        p.cb(p.token, null, { seq, duplicate: dup >= 0 && d[skipSpaces(d, dup + DUPLICATE.length)] === 0x74 /* t */ });
        return;
      }
    }
    let a: { error?: { code?: number; err_code?: number; description?: string } };
    try {
      a = JSON.parse(decoder.decode(data)) as typeof a;
    } catch {
      p.cb(p.token, new PublishError('stream_error', 'PubAck is not JSON'), null);
      return;
    }
    p.cb(p.token, new PublishError('stream_error', a.error?.description ?? 'PubAck without seq', a.error?.err_code ?? a.error?.code), null);
  }

  /** Fails every publish older than `ackTimeoutMs` (insertion order = send order). */
  private expire(nowMs: number): void {
    for (const [n, p] of this.pending) {
      if (nowMs - p.sentAtMs < this.ackTimeoutMs) break;
      this.pending.delete(n);
      p.cb(p.token, new PublishError('timeout', `no PubAck within ${this.ackTimeoutMs} ms`), null);
    }
  }

  /** Fails what is still pending (`closed`) and stops listening. */
  close(): void {
    clearInterval(this.sweep);
    this.sub.unsubscribe();
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) p.cb(p.token, new PublishError('closed', 'publisher closed'), null);
  }
}
