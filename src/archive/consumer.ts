/**
 * The archiver's durable pull consumer (the scale-out issue): explicit acks, one filter subject
 * (nats-server 2.9 has one per consumer), and a reset that makes the consumer start over right
 * after what the archive holds.
 *
 * Why a reset: a message the server delivered but the archive did not store (in flight when the
 * archiver crashed, or lost on a broken connection) is redelivered only after `ack_wait`, behind
 * newer messages. Skipping "everything at or below the last applied sequence" would then drop
 * it. So the archiver applies messages strictly in delivery order and, whenever the consumer
 * sequence shows a delivery it did not see (a gap, or a restart after a crash), it recreates the
 * consumer at `deliver_policy: by_start_sequence`, `opt_start_seq` = last applied + 1. The
 * stream (retention "limits") still holds every message, so nothing is lost, and nothing is
 * stored twice.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerInfo, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';

/** What the archiver's consumer is. */
export interface ArchiveConsumerOptions {
  stream: string;
  durable: string;
  /** One subject filter (wildcards allowed). */
  filterSubject: string;
  /** Redelivery after this long without an ack, ms. */
  ackWaitMs: number;
  /** Delivered but unacknowledged messages at most (bounds the archiver's memory). */
  maxAckPending: number;
}

export class ArchiveConsumer {
  private constructor(private readonly nc: NatsConnection, private readonly jsm: JetStreamManager, private readonly o: ArchiveConsumerOptions) {}

  static async create(nc: NatsConnection, o: ArchiveConsumerOptions): Promise<ArchiveConsumer> {
    return new ArchiveConsumer(nc, await jetstreamManager(nc), o);
  }

  /** The consumer's info, or null when it does not exist. @throws the server's other errors (no quorum, timeout) */
  async info(): Promise<ConsumerInfo | null> {
    try {
      return await this.jsm.consumers.info(this.o.stream, this.o.durable);
    } catch (e) {
      if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.ConsumerNotFound) return null;
      throw e;
    }
  }

  /**
   * First and last sequence in the stream (0 when it never held a message), and whether the
   * filter takes every message of the stream (its one subject is the filter).
   * @throws the server's error
   */
  async streamSeqs(): Promise<{ first: number; last: number; wholeStream: boolean }> {
    const { state, config } = await this.jsm.streams.info(this.o.stream);
    return { first: state.first_seq, last: state.last_seq, wholeStream: config.subjects?.length === 1 && config.subjects[0] === this.o.filterSubject };
  }

  /**
   * The stream sequence of the first message on the filter at or after `seq`, asked of the
   * stream leader (`STREAM.MSG.GET` with `next_by_subj`, nats-server 2.9+), or null when there is
   * none (yet). Used to tell messages removed from the stream from messages a consumer skipped.
   * @throws the server's error (no quorum, timeout): the caller retries
   */
  async firstFrom(seq: number): Promise<number | null> {
    // next_by_subj is a MsgRequest the server takes; the client's type lists only seq / last_by_subj
    const m = await this.jsm.streams.getMessage(this.o.stream, { seq, next_by_subj: this.o.filterSubject } as unknown as { seq: number });
    return m === null ? null : m.seq;
  }

  /**
   * True when `info` is this consumer as configured now (filter, ack policy, ack wait): a
   * consumer made by another config (or by hand) is recreated.
   */
  matches(info: ConsumerInfo): boolean {
    const c = info.config;
    return c.filter_subject === this.o.filterSubject && c.ack_policy === AckPolicy.Explicit && c.ack_wait === this.o.ackWaitMs * 1e6 && c.max_ack_pending === this.o.maxAckPending;
  }

  /**
   * Deletes the consumer (if any) and creates it again, delivering from stream sequence
   * `startSeq` on.
   * @returns the new consumer's creation time (ISO), which names it in the journal
   * @throws the server's error (for example no quorum): the caller retries
   */
  async reset(startSeq: number): Promise<string> {
    if ((await this.info()) !== null) await this.jsm.consumers.delete(this.o.stream, this.o.durable);
    const info = await this.jsm.consumers.add(this.o.stream, {
      durable_name: this.o.durable,
      ack_policy: AckPolicy.Explicit,
      ...(startSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
      filter_subject: this.o.filterSubject,
      ack_wait: this.o.ackWaitMs * 1e6,
      max_ack_pending: this.o.maxAckPending,
      max_deliver: -1,
    });
    return info.created;
  }

  /**
   * Starts pulling: `onMessage` is called for every delivery, in delivery order, on the
   * connection's callback (it must not be async). At most `maxMessages` are requested ahead.
   * @returns the running pull; `close()` it to stop
   */
  async consume(maxMessages: number, onMessage: (m: JsMsg) => void): Promise<ConsumerMessages> {
    const c = await jetstream(this.nc).consumers.get(this.o.stream, this.o.durable);
    // pull requests expire after 5 s (heartbeats every 2.5 s): a pull parked on a server that died
    // or stopped is noticed and re-issued within seconds, not after the default 30 s
    return c.consume({ max_messages: maxMessages, expires: 5000, callback: onMessage });
  }
}
