/**
 * A batch of encoded records that keeps every record's boundaries (DESIGN §9), so one sink can
 * write a run of records as one buffer (the file store: one `writev` per day file) and another
 * can publish record by record (JetStream: one message per record).
 *
 * Records are grouped per app in arrival order. Each record is one serialized line (UTF-8,
 * ending in LF) encoded at append time into large chunks, so the per-message strings die young
 * and a sink needs no join; a record never spans two chunks. The chunks come from a
 * {@link ChunkPool} and go back to it once every sink has answered (see {@link RecordBatch.release}),
 * so steady intake reuses the same few megabytes instead of leaving 256 KiB buffers to the GC.
 */

/** Node's own UTF-8 encoder behind `Buffer#write` (undocumented, stable since v0.x): no argument normalization on the hot path. */
interface Utf8Writable { utf8Write(s: string, offset: number): number }

/** Size of one encode chunk, bytes; a longer line gets a chunk of its own size (not pooled). */
export const CHUNK_BYTES = 256 * 1024;
const EMPTY = Buffer.allocUnsafe(0);

/**
 * Free encode chunks of {@link CHUNK_BYTES}, reused across batches. Holds at most `maxChunks`
 * (the batcher sizes it from `storage.highWaterBytes`); chunks beyond that are left to the GC.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly maxChunks: number) {}

  /** A chunk of at least `bytes` (a pooled one when it fits in {@link CHUNK_BYTES}). */
  take(bytes: number): Buffer {
    if (bytes > CHUNK_BYTES) return Buffer.allocUnsafe(bytes);
    return this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  }

  /** Returns a chunk from {@link take}; nobody may read or write it afterwards. */
  give(chunk: Buffer): void {
    if (chunk.length === CHUNK_BYTES && this.free.length < this.maxChunks) this.free.push(chunk);
  }

  /** Chunks waiting for reuse. */
  get size(): number { return this.free.length; }
}

/** A pool that keeps nothing: every chunk is a fresh allocation (batches built outside the batcher). */
const NO_POOL = new ChunkPool(0);

/** One app's records of a batch, in arrival order. */
export class AppRecords {
  /** Encode chunks, in order (the last one is sealed by {@link RecordBatch.seal}). */
  readonly chunks: Buffer[] = [];
  /** Per record: the chunk it is in. */
  private readonly chunkOf: number[] = [];
  /** Per record: its end offset (after its LF) within its chunk. */
  private readonly ends: number[] = [];
  /** Per record: when its frame was read, epoch ms (the file store partitions by its UTC day). */
  readonly receivedAtMs: number[] = [];
  /** Index of this group's first record in the batch's status array (set when sealed). */
  first = 0;
  /** Every whole chunk taken from the pool, for {@link release}. */
  private readonly taken: Buffer[] = [];
  private cur: Buffer = EMPTY;
  private used = 0;

  constructor(readonly app: string, private readonly pool: ChunkPool) {}

  /** Number of records. */
  get count(): number { return this.ends.length; }

  /**
   * Encodes one serialized record (`line` ends in LF).
   * @returns its size, bytes
   */
  add(line: string, receivedAtMs: number): number {
    const chunk = this.room(line.length * 3);
    return this.commit(this.used + (chunk as unknown as Utf8Writable).utf8Write(line, this.used), receivedAtMs);
  }

  /**
   * Makes room for a record of at most `bytes` written in place: the chunk to write into, at
   * {@link offset}. Follow with {@link commit} (or nothing, to abandon the bytes).
   */
  room(bytes: number): Buffer {
    if (this.cur.length - this.used < bytes) {
      this.sealChunk();
      this.cur = this.pool.take(bytes);
      this.taken.push(this.cur);
    }
    return this.cur;
  }

  /** Where the next record starts in the chunk {@link room} returned, bytes. */
  get offset(): number { return this.used; }

  /**
   * Keeps the record written in place at [{@link offset}, `end`) of the chunk from {@link room}.
   * @returns its size, bytes
   */
  commit(end: number, receivedAtMs: number): number {
    const n = end - this.used;
    this.used = end;
    this.chunkOf.push(this.chunks.length);
    this.ends.push(end);
    this.receivedAtMs.push(receivedAtMs);
    return n;
  }

  /**
   * Copies already encoded records in: `src[from, ends[i])` … for `i` in `[i0, i1)`, record `i`
   * being `src[ends[i-1] (or from), ends[i])`, received at `receivedAtMs[i]`.
   * @returns their total size, bytes
   */
  copyIn(src: Buffer, from: number, ends: Int32Array, i0: number, i1: number, receivedAtMs: Float64Array): number {
    const total = ends[i1 - 1] - from;
    const chunk = this.room(total);
    const shift = this.used - from;
    src.copy(chunk, this.used, from, ends[i1 - 1]);
    const c = this.chunks.length;
    for (let i = i0; i < i1; i++) {
      this.chunkOf.push(c);
      this.ends.push(ends[i] + shift);
      this.receivedAtMs.push(receivedAtMs[i]);
    }
    this.used += total;
    return total;
  }

  /** Where record `i` starts in its chunk. */
  private start(i: number): number {
    return i > 0 && this.chunkOf[i - 1] === this.chunkOf[i] ? this.ends[i - 1] : 0;
  }

  /** Record `i`'s bytes (its LF included), a view into its chunk. */
  record(i: number): Buffer {
    return this.chunks[this.chunkOf[i]].subarray(this.start(i), this.ends[i]);
  }

  /**
   * The bytes of records `[from, to)` as views into their chunks (one buffer per chunk touched),
   * ready for one `writev`.
   */
  slices(from: number, to: number): Buffer[] {
    const out: Buffer[] = [];
    let i = from;
    while (i < to) {
      const c = this.chunkOf[i];
      let j = i;
      while (j + 1 < to && this.chunkOf[j + 1] === c) j++;
      out.push(this.chunks[c].subarray(this.start(i), this.ends[j]));
      i = j + 1;
    }
    return out;
  }

  /** Closes the current chunk (called once the batch is complete). */
  sealChunk(): void {
    if (this.used > 0) this.chunks.push(this.cur.subarray(0, this.used));
    this.cur = EMPTY;
    this.used = 0;
  }

  /** Gives the chunks back to the pool; this group's bytes must not be used afterwards. */
  release(): void {
    for (const c of this.taken) this.pool.give(c);
    this.taken.length = 0;
    this.chunks.length = 0;
  }
}

/**
 * The unit a sink writes: records grouped per app. Built by the batcher with {@link add},
 * then {@link seal}ed (no more records) before any sink sees it. A sink may read the batch's
 * bytes only until its `write()` resolves: the batcher then {@link release}s them for reuse, so
 * a sink that keeps bytes longer (an outbound queue) must copy them.
 */
export class RecordBatch {
  /** Per-app groups, in the order their first record arrived. */
  readonly groups: AppRecords[] = [];
  private readonly byApp = new Map<string, AppRecords>();
  /** Records in the batch. */
  records = 0;
  /** Encoded size of all records, bytes. */
  bytes = 0;

  /** @param pool where encode chunks come from and go back to (default: one that keeps none) */
  constructor(private readonly pool: ChunkPool = NO_POOL) {}

  /**
   * Appends one serialized record of `app`.
   * @returns the group it went to (its index there is `group.count - 1`)
   */
  add(app: string, line: string, receivedAtMs: number): AppRecords {
    const g = this.group(app);
    this.bytes += g.add(line, receivedAtMs);
    this.records++;
    return g;
  }

  /** The group of `app` (created on first use), for records written in place ({@link AppRecords.room}). */
  group(app: string): AppRecords {
    let g = this.byApp.get(app);
    if (g === undefined) {
      g = new AppRecords(app, this.pool);
      this.byApp.set(app, g);
      this.groups.push(g);
    }
    return g;
  }

  /** Counts `records` records of `bytes` bytes added to one of this batch's groups in place. */
  added(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
  }

  /** Returns every chunk to the pool (after every sink has answered); the batch is empty afterwards. */
  release(): void {
    for (const g of this.groups) g.release();
  }

  /** Ends the batch: closes every chunk and numbers the records for the status array. */
  seal(): this {
    let first = 0;
    for (const g of this.groups) {
      g.sealChunk();
      g.first = first;
      first += g.count;
    }
    return this;
  }
}
