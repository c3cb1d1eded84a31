// One subscription's stream: every batch the process hears goes through `select`, one batch after
// the other (so rows leave in commit order), and the rows it picks wait here until the socket takes
// them. return() (the client unsubscribed or went away) unregisters at once, even while idle — an
// async generator would stay registered until the next event reached it.
// graphql-ws awaits each socket write before it pulls the next row, so a client that stops reading
// leaves its rows here: a LiveBudget bounds them per connection (websocket.ts) and, once spent, ends
// every stream of that connection and frees their rows.
import type { Logger } from '../logger.ts';
import type { LiveBatch } from './batch.ts';
import type { LiveEvents } from './events.ts';

/** the items a batch delivers, in order; null ends the subscription (its user no longer exists) */
export type SelectRows<T> = (batch: LiveBatch) => Promise<T[] | null>;

/**
 * Per connection, in JSON bytes. Measured (test/reliability/slow-clients.test.ts): with no bound a
 * paused client held 22.6 MB of rows after 12,000 events of ~2 KB, the heap 72 MB higher, growing
 * with every event; the loopback socket buffers took only the first 3.8 MB. 4 MiB (~12 MB of heap at
 * that ratio) still holds the largest burst a reading client legitimately sees at once — a discover
 * committing ~15,000 new records (~250 bytes each as a dashboard selects them, estimated) — so only a client that
 * has stopped reading, or reads far slower than events come, is closed.
 */
export const LIVE_QUEUE_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * What the rows waiting in one connection's streams may add up to, in bytes of their JSON (the rows
 * are only measured when they have to wait). Past it `onSpent` runs once (websocket.ts closes the
 * socket) and every stream of the connection ends, its rows freed.
 */
export class LiveBudget {
  queuedBytes = 0;
  spent = false;
  private readonly streams = new Set<{ drop(): void }>();

  constructor(readonly limitBytes: number, private readonly onSpent: () => void) {}

  join(stream: { drop(): void }): () => void {
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /** false once the budget is spent: the caller's rows are already dropped */
  take(bytes: number): boolean {
    this.queuedBytes += bytes;
    if (this.queuedBytes <= this.limitBytes) return true;
    this.spend();
    return false;
  }

  give(bytes: number) {
    this.queuedBytes -= bytes;
  }

  private spend() {
    if (this.spent) return;
    this.spent = true;
    // first, so the socket's close frame goes out before anything the ending streams would send
    this.onSpent();
    for (const stream of [...this.streams]) stream.drop();
    this.queuedBytes = 0;
  }
}

const weighed = new WeakMap<object, number>();

/**
 * A row's JSON length: what it will roughly weigh on the wire (BigInt as its digits). Once per row:
 * the subscribers of one group wait with the same row objects, and at 10,000 subscribers re-measuring
 * each waiting copy cost ~30 ms of CPU per event (bench:live profile).
 */
export function jsonBytes(row: object): number {
  let bytes = weighed.get(row);
  if (bytes === undefined) {
    try {
      bytes = JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))?.length ?? 0;
    } catch {
      bytes = 1_024;
    }
    weighed.set(row, bytes);
  }
  return bytes;
}

export class LiveStream<T extends { row: object }> implements AsyncIterableIterator<T> {
  private queue: Array<{ item: T; bytes: number }> = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private done = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly unlisten: () => void;
  private readonly leave: () => void;

  constructor(live: LiveEvents, private readonly select: SelectRows<T>, private readonly log: Logger, private readonly budget: LiveBudget) {
    this.leave = budget.join(this);
    this.unlisten = live.listen((batch) => { this.chain = this.chain.then(() => this.process(batch)); });
    // a subscribe that arrives on a connection already being closed for its backlog
    if (budget.spent) this.drop();
  }

  next(): Promise<IteratorResult<T>> {
    const first = this.queue.shift();
    if (first) {
      this.budget.give(first.bytes);
      return Promise.resolve({ value: first.item, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.drop();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** ends the stream and lets go of the rows waiting in it */
  drop() {
    for (const { bytes } of this.queue) this.budget.give(bytes);
    this.queue = [];
    this.end();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private async process(batch: LiveBatch) {
    if (this.done) return;
    let items: T[] | null;
    try {
      items = await this.select(batch);
    } catch (e) {
      // never thrown to graphql-ws: it would send the raw message, unmasked. A database failure
      // here also drops the LISTEN connection, and the resync that follows re-reads the state.
      this.log.error({ err: e }, 'live subscription could not read an event batch');
      return;
    }
    if (this.done) return;
    if (items === null) { this.end(); return; }
    for (const item of items) {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w({ value: item, done: false });
      } else {
        const bytes = jsonBytes(item.row);
        this.queue.push({ item, bytes });
        if (!this.budget.take(bytes)) return; // spent: this stream is dropped
      }
    }
  }

  private end() {
    if (this.done) return;
    this.done = true;
    this.unlisten();
    this.leave();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }
}
