// Batches the keys asked for in one tick into one query (DataLoader's idea; its setImmediate tick is the point, see load()): used by
// live event batches (live/batch.ts) and by GraphQL resolvers that would otherwise query per parent.
export type LoadMany<K, V> = (keys: K[]) => Promise<Map<K, V>>;

export class BatchLoader<K, V> {
  private readonly results = new Map<K, Promise<V | undefined>>();
  private queued: Array<{ key: K; resolve: (v: V | undefined) => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly loadMany: LoadMany<K, V>) {}

  load(key: K): Promise<V | undefined> {
    let p = this.results.get(key);
    if (p) return p;
    p = new Promise((resolve, reject) => {
      // setImmediate, not a microtask: subscriptions woken by the same flush resume over several
      // microtask turns, and all of them should land in one query
      if (!this.queued.length) setImmediate(() => void this.flush());
      this.queued.push({ key, resolve, reject });
    });
    this.results.set(key, p);
    return p;
  }

  private async flush() {
    const queued = this.queued;
    this.queued = [];
    try {
      const found = await this.loadMany(queued.map((q) => q.key));
      for (const q of queued) q.resolve(found.get(q.key));
    } catch (e) {
      for (const q of queued) q.reject(e);
    }
  }
}
