// One subscription's stream: every batch the process hears goes through `select`, one batch after
// the other (so rows leave in commit order), and the rows it picks wait here until the socket takes
// them. return() (the client unsubscribed or went away) unregisters at once, even while idle — an
// async generator would stay registered until the next event reached it.
import type { Logger } from '../logger.ts';
import type { LiveBatch } from './batch.ts';
import type { LiveEvents } from './events.ts';

/** the rows a batch delivers, in order; null ends the subscription (its user no longer exists) */
export type SelectRows<T> = (batch: LiveBatch) => Promise<T[] | null>;

export class LiveStream<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private done = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly unlisten: () => void;

  constructor(live: LiveEvents, private readonly select: SelectRows<T>, private readonly log: Logger) {
    this.unlisten = live.listen((batch) => { this.chain = this.chain.then(() => this.process(batch)); });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue = [];
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private async process(batch: LiveBatch) {
    if (this.done) return;
    let rows: T[] | null;
    try {
      rows = await this.select(batch);
    } catch (e) {
      // never thrown to graphql-ws: it would send the raw message, unmasked. A database failure
      // here also drops the LISTEN connection, and the resync that follows re-reads the state.
      this.log.error({ err: e }, 'live subscription could not read an event batch');
      return;
    }
    if (this.done) return;
    if (rows === null) { this.end(); return; }
    for (const row of rows) {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w({ value: row, done: false });
      } else {
        this.queue.push(row);
      }
    }
  }

  private end() {
    if (this.done) return;
    this.done = true;
    this.unlisten();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }
}
