// The PostgreSQL-backed event bus. Triggers (prisma/migrations/*_record_stale_and_events) NOTIFY
// 'tributary_events' with ids only, inside the transaction that made the change, so listeners hear
// only committed state. Each API process LISTENs on one dedicated connection and republishes into
// an in-process pubsub that subscription resolvers read. After a lost connection it reconnects with
// backoff and publishes a 'resync' event: subscribers then re-read current state, so nothing final
// is missed while the connection was down.
import pg from 'pg';
import { createPubSub } from 'graphql-yoga';
import type { Logger } from '../logger.ts';

export const EVENTS_CHANNEL = 'tributary_events';

export type LiveEvent =
  | { type: 'record'; id: number; connectorId: number; state: string }
  | { type: 'operation'; id: number; connectorId: number; status: string; progress: unknown }
  | { type: 'alert'; id: number; userId: number }
  | { type: 'resync'; since: Date };

export class LiveEvents {
  private readonly pubsub = createPubSub<{ event: [LiveEvent] }>();
  private client: pg.Client | null = null;
  private stopped = false;
  private lastHeard = new Date();
  private listenedBefore = false;
  private retryTimer: NodeJS.Timeout | null = null;
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

  subscribe(): AsyncIterable<LiveEvent> {
    return this.pubsub.subscribe('event');
  }

  /** for tests: drop the LISTEN connection as a database restart would */
  async dropConnectionForTest(): Promise<void> {
    await this.client?.query('SELECT pg_terminate_backend(pg_backend_pid())').catch(() => {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
      this.lastHeard = new Date();
      try {
        this.pubsub.publish('event', JSON.parse(msg.payload) as LiveEvent);
      } catch (e) {
        this.log.warn({ err: e }, 'unreadable live event payload');
      }
    });
    client.on('error', (e) => this.log.warn({ err: e.message }, 'live events connection error'));
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = null;
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
      this.pubsub.publish('event', { type: 'resync', since: new Date(this.lastHeard.getTime() - 1000) });
    }
    this.listenedBefore = true;
    this.markReady();
  }

  private scheduleReconnect(attempt: number) {
    if (this.stopped) return;
    // 100 ms, doubling, at most 5 s: a restarted PostgreSQL accepts connections within ~1 s here
    const delay = Math.min(100 * 2 ** attempt, 5_000);
    this.retryTimer = setTimeout(() => void this.connect(attempt), delay);
  }
}
