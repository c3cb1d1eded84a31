// One flush of live events, shared by every subscription of the process. Whatever a subscription
// needs to read for these events (the viewer, the changed rows) goes through the batch's loaders:
// each key is read at most once per batch, and keys asked for in the same tick are read in one
// query. With 1,000 subscribers of one user to one connector, an event costs 2 queries, not 2,000.
import { BatchLoader, type LoadMany } from '../util/batch-loader.ts';

/** what one NOTIFY on the events channel says (ids and small deltas only: payloads are capped at 8000 bytes) */
export type LiveEvent =
  | { type: 'record'; id: number; connectorId: number; state: string }
  | { type: 'operation'; id: number; connectorId: number; status: string; progress: unknown }
  | { type: 'alert'; id: number; userId: number }
  | { type: 'delivery'; id: number; status: string }
  | { type: 'resync'; since: Date };

export class LiveBatch {
  private readonly loaders = new Map<string, BatchLoader<unknown, unknown>>();
  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(readonly events: readonly LiveEvent[]) {}

  /** the value for `key` from the loader named `name`; `loadMany` runs once per tick of requests */
  load<K, V>(name: string, loadMany: LoadMany<K, V>, key: K): Promise<V | undefined> {
    let loader = this.loaders.get(name) as BatchLoader<K, V> | undefined;
    if (!loader) this.loaders.set(name, (loader = new BatchLoader(loadMany)) as BatchLoader<unknown, unknown>);
    return loader.load(key);
  }

  /** `compute()` once per batch for `key` (e.g. the rows a resync re-reads for one filter) */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let p = this.memos.get(key) as Promise<T> | undefined;
    if (!p) this.memos.set(key, (p = compute()));
    return p;
  }
}
