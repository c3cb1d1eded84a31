// The PostgreSQL-backed event bus. Triggers (prisma/migrations/*_record_stale_and_events) NOTIFY
// 'tributary_events' with ids only, inside the transaction that made the change, so listeners hear
// only committed state, in commit order. Each API process LISTENs on one dedicated connection and
// hands every listener (one per subscription) the same LiveBatch: the notifications that arrived in
// one tick, so the subscriptions share their reads (batch.ts). After a lost connection it reconnects
// with backoff and publishes a 'resync' event: subscribers then re-read current state, so nothing
// final is missed while the connection was down.
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { LiveBatch, type LiveEvent } from './batch.ts';

export const EVENTS_CHANNEL = 'tributary_events';

export type LiveListener = (batch: LiveBatch) => void;

/**
 * A resync re-reads rows stamped from this long before the connection was last known alive: the
 * writers stamp updatedAt/endedAt when their transaction starts, not when it commits, and the
 * longest write transaction (a discover's reconcile, a 100k-finding reimport) stays well under it.
 * Re-sending a minute of changes is cheap; missing one final state is not.
 */
const RESYNC_MARGIN_MS = 60_000;
/** how often the connection proves it is alive; a probe unanswered for as long drops it */
const PROBE_INTERVAL_MS = 10_000;

export class LiveEvents {
  private readonly listeners = new Set<LiveListener>();
  private client: pg.Client | null = null;
  private stopped = false;
  /** every notification committed before this instant has been received */
  private lastAlive = new Date();
  private listenedBefore = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private pending: LiveEvent[] = [];
  /** resolves once the first LISTEN is in place */
  ready: Promise<void>;
  private markReady!: () => void;

  constructor(private readonly url: string, private readonly log: Logger) {
    this.ready = new Promise((r) => (this.markReady = r));
  }

  start(): Promise<void> {
    void this.connect(0);
    return this.ready;
  }

  /** calls `listener` with every batch until the returned function is called */
  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private publish(event: LiveEvent) {
    // notifications parsed from one socket read arrive synchronously: flushing on setImmediate
    // turns them into one batch
    if (!this.pending.length) setImmediate(() => this.flush());
    this.pending.push(event);
  }

  private flush() {
    const batch = new LiveBatch(this.pending);
    this.pending = [];
    for (const listener of this.listeners) listener(batch);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'tributary-live' });
    client.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
      try {
        this.publish(JSON.parse(msg.payload) as LiveEvent);
      } catch (e) {
        this.log.warn({ err: e }, 'unreadable live event payload');
      }
    });
    client.on('error', (e) => this.log.warn({ err: e.message }, 'live events connection error'));
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = null;
      if (this.probeTimer) clearInterval(this.probeTimer);
      this.log.warn('live events connection lost; reconnecting');
      this.scheduleReconnect(0);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => {});
      this.log.warn({ err: (e as Error).message, attempt }, 'live events: cannot LISTEN yet');
      this.scheduleReconnect(attempt + 1);
      return;
    }
    if (this.stopped) { await client.end().catch(() => {}); return; }
    this.client = client;
    if (this.listenedBefore) {
      // anything committed while we were not listening is re-read by the subscribers
      this.publish({ type: 'resync', since: new Date(this.lastAlive.getTime() - RESYNC_MARGIN_MS) });
    }
    this.lastAlive = new Date();
    this.listenedBefore = true;
    this.probeTimer = setInterval(() => void this.probe(client), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
    this.markReady();
  }

  /**
   * Re-issuing LISTEN is a no-op that proves the connection works (a half-open TCP connection would
   * otherwise go unnoticed for the OS keep-alive's ~2 h) and keeps pg_stat_activity showing this
   * connection as the LISTEN one. Notifications are delivered before the reply, so everything
   * committed before the probe was sent has been heard.
   */
  private async probe(client: pg.Client) {
    const sentAt = new Date();
    const timeout = setTimeout(() => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy(), PROBE_INTERVAL_MS);
    try {
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.client === client) this.lastAlive = sentAt;
    } catch {
      // 'end' follows and reconnects
    } finally {
      clearTimeout(timeout);
    }
  }

  private scheduleReconnect(attempt: number) {
    if (this.stopped) return;
    // 100 ms, doubling, at most 5 s: a restarted PostgreSQL accepts connections within ~1 s here
    const delay = Math.min(100 * 2 ** attempt, 5_000);
    this.retryTimer = setTimeout(() => void this.connect(attempt), delay);
  }
}
