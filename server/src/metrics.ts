// Prometheus metrics (prom-client), one registry per app so several apps can share a test process.
// Counters and histograms count what this process did; the gauges read from PostgreSQL (queue depth,
// operations waiting or running, deliveries) describe the whole deployment and answer the same from
// every process: aggregate them with max(), not sum(). They cost one grouped query each per scrape
// (the Delivery count scans that table: scrape every 15-60 s, not every second).
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS = [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10];
const JOB_SECONDS = [0.05, 0.25, 1, 5, 30, 120, 600];

/**
 * Operation names come from clients: a label per distinct name would let any client grow this
 * process's memory and every scrape. Names outside this bound, and those past the limit, are 'other'.
 */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let pool: pg.Pool | null = null;
  const fromDatabase = async <R extends pg.QueryResultRow>(sql: string): Promise<R[] | null> => {
    if (!pool) return null;
    try { return (await pool.query<R>(sql)).rows; } catch { return null; }
  };
  const registers = [registry];
  const operationNames = new Set<string>();

  const metrics = {
    registry,
    /** the gauges that read PostgreSQL use this pool once it exists */
    useDatabase(p: pg.Pool) { pool = p; },
    /** a client-sent GraphQL operation name, bounded (see OPERATION_NAME) */
    operationLabel(name: string | null | undefined): string {
      if (!name) return 'anonymous';
      if (!OPERATION_NAME.test(name)) return 'other';
      if (!operationNames.has(name)) {
        if (operationNames.size >= MAX_OPERATION_NAMES) return 'other';
        operationNames.add(name);
      }
      return name;
    },
    httpSeconds: new Histogram({
      name: 'tributary_http_request_duration_seconds', help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'] as const, buckets: SECONDS, registers,
    }),
    graphqlSeconds: new Histogram({
      name: 'tributary_graphql_operation_duration_seconds', help: 'GraphQL operations (HTTP) by operation name and type; outcome is ok or error',
      labelNames: ['operation', 'type', 'outcome'] as const, buckets: SECONDS, registers,
    }),
    jobs: new Counter({ name: 'tributary_jobs_total', help: 'worker jobs run, by task and outcome (ok, error)', labelNames: ['task', 'outcome'] as const, registers }),
    jobSeconds: new Histogram({ name: 'tributary_job_duration_seconds', help: 'worker job duration by task', labelNames: ['task'] as const, buckets: JOB_SECONDS, registers }),
    jobsRunning: new Gauge({ name: 'tributary_jobs_running', help: 'jobs this worker process is running now, by task', labelNames: ['task'] as const, registers }),
    operationsFinished: new Counter({
      name: 'tributary_operations_total', help: 'operations this worker finished, by type and status',
      labelNames: ['type', 'status'] as const, registers,
    }),
    syncFindings: new Counter({ name: 'tributary_sync_findings_total', help: 'findings reimported by syncs (new, closed, reactivated, untouched); rate() is the sync throughput', registers }),
    syncThroughput: new Histogram({
      name: 'tributary_sync_findings_per_second', help: 'findings per second of each finished sync',
      buckets: [100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000], registers,
    }),
    websocketConnections: new Gauge({ name: 'tributary_websocket_connections', help: 'open graphql-ws connections of this process', registers }),
    slowClientCloses: new Counter({
      name: 'tributary_websocket_slow_closes_total', help: 'websocket connections closed with 1013 because their client stopped reading (live/stream.ts LiveBudget)', registers,
    }),
  };

  new Gauge({
    name: 'tributary_queue_jobs', help: 'graphile-worker jobs by task and state (ready, scheduled, running, failed = out of attempts)',
    labelNames: ['task', 'state'] as const, registers,
    async collect() {
      const rows = await fromDatabase<{ task: string; ready: number; scheduled: number; running: number; failed: number }>(`
        SELECT t.identifier task,
               count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.run_at <= now())::int ready,
               count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.run_at > now())::int scheduled,
               count(*) FILTER (WHERE j.locked_at IS NOT NULL)::int running,
               count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts >= j.max_attempts)::int failed
          FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id GROUP BY 1`);
      if (!rows) return;
      this.reset();
      for (const r of rows) for (const state of ['ready', 'scheduled', 'running', 'failed'] as const) this.set({ task: r.task, state }, r[state]);
    },
  });
  new Gauge({
    name: 'tributary_operations', help: 'operations waiting or running now, by type and status',
    labelNames: ['type', 'status'] as const, registers,
    async collect() {
      const rows = await fromDatabase<{ type: string; status: string; n: number }>(
        `SELECT type, status, count(*)::int n FROM "Operation" WHERE status IN ('PENDING', 'RUNNING') GROUP BY 1, 2`);
      if (!rows) return;
      this.reset();
      for (const type of ['DISCOVER', 'SYNC']) for (const status of ['PENDING', 'RUNNING']) this.set({ type, status }, 0);
      for (const r of rows) this.set({ type: r.type, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'tributary_deliveries', help: 'notification deliveries by channel and status',
    labelNames: ['channel', 'status'] as const, registers,
    async collect() {
      const rows = await fromDatabase<{ channel: string; status: string; n: number }>(
        `SELECT lower(method::text) channel, status::text status, count(*)::int n FROM "Delivery" GROUP BY 1, 2`);
      if (!rows) return;
      this.reset();
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
