// buildApp(config) → { start, stop }: composes the process by role. Every role gets PostgreSQL (with
// migrations) and the shared services; the worker role adds the graphile-worker runner; the API role
// adds the GraphQL API (HTTP and graphql-ws) and the dashboard; both answer /healthz, /readyz and
// /metrics. The migrate role only applies the migrations (migrateDatabase) and exits.
import { runMigrations } from 'graphile-worker';
import { createPrisma } from '@tributary/db';
import type { Config } from './config.ts';
import { connectPostgres, createPool } from './db/postgres.ts';
import { applyMigrations, pendingMigrations } from './db/migrate.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadSecretBox } from './auth/secrets.ts';
import { bootstrapAdmin } from './auth/bootstrap.ts';
import type { Services } from './services.ts';
import { LiveEvents } from './live/events.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createRouter, type Readiness } from './http/router.ts';
import { createHttpServer } from './http/server.ts';
import { createGraphqlYoga, serveGraphqlHttp } from './graphql/yoga.ts';
import { attachGraphqlWebsocket } from './http/websocket.ts';
import { startWorker, workerLogger, type WorkerHandle } from './jobs/worker.ts';
import { closeMailTransports } from './notifications/channels/mail.ts';

export interface App {
  /** http://host:port once started */
  readonly url: string;
  /** the process's shared services; there once start() has built them */
  readonly services: Services;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  /** every SQL statement Prisma sends (tests count them to catch N+1 queries) */
  onQuery?: (sql: string) => void;
  logger?: Logger;
  /** where to print the generated admin password (stdout by default) */
  print?: (line: string) => void;
}

/** What start() brought up, each pushing how to stop it; stop() runs them newest first. */
type Stops = Array<() => Promise<unknown>>;

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const metrics = createMetrics();
  const stops: Stops = [];
  let services: Services | null = null;
  let url = '';
  let ready = false;
  let stopping = false;
  let worker: WorkerHandle | null = null;
  return {
    get url() { return url; },
    get services() {
      if (!services) throw new Error('app.services exists once app.start() has built it');
      return services;
    },
    async start() {
      if (config.role === 'migrate') throw new Error('the migrate role has no app to start: main.ts calls migrateDatabase()');
      services = await startServices(config, opts, log, stops);
      metrics.useDatabase(services.pool);
      if (config.role !== 'api') {
        // pooled SMTP connections close once the worker's running jobs have finished
        stops.push(async () => closeMailTransports());
        const started = await startWorker(services, metrics);
        worker = started;
        stops.push(() => started.stop());
      }
      const readiness = checkReadiness(services, () => ready && !stopping, () => worker);
      url = await startHttp(services, metrics, () => ready, readiness, stops);
      ready = true;
    },
    // the reverse of start: stop taking new work (websockets, then HTTP, draining), let running jobs
    // finish, then close connections, and stop the embedded PostgreSQL last
    async stop() {
      if (stopping) return;
      stopping = true;
      ready = false;
      for (const stop of stops.splice(0).reverse()) await stop();
    },
  };
}

/** PostgreSQL, both sets of migrations, and the services every layer shares. */
async function startServices(config: Config, opts: BuildOptions, log: Logger, stops: Stops): Promise<Services> {
  const postgres = await connectPostgres(config);
  stops.push(() => postgres.stop());
  const pool = createPool(postgres.url, config.dbPoolSize);
  stops.push(() => pool.end().catch(() => {}));
  const applied = await applyMigrations(pool);
  if (applied.length) log.info({ applied }, 'applied migrations');
  await runMigrations({ pgPool: pool, logger: workerLogger(log) });
  const prisma = createPrisma(pool, { log: opts.onQuery });
  stops.push(() => prisma.$disconnect());
  const secrets = await loadSecretBox(config);
  const live = new LiveEvents(postgres.url, log);
  stops.push(() => live.stop());
  if (config.role !== 'worker') {
    await bootstrapAdmin(prisma, config, opts.print ?? ((line) => console.log(line)));
    await live.start();
  }
  return { config, prisma, pool, secrets, log, live };
}

/**
 * `pnpm start --role migrate`: applies Tributary's and graphile-worker's migrations and returns the
 * names applied. Under the same advisory lock as every process's start, so running it while
 * other processes start is safe.
 */
export async function migrateDatabase(config: Config, log: Logger = createLogger(config.logLevel, undefined, config.logFormat)): Promise<string[]> {
  const postgres = await connectPostgres(config);
  const pool = createPool(postgres.url, config.dbPoolSize);
  try {
    const applied = await applyMigrations(pool);
    await runMigrations({ pgPool: pool, logger: workerLogger(log) });
    return applied;
  } finally {
    await pool.end().catch(() => {});
    await postgres.stop();
  }
}

/**
 * /readyz: the database answers (within 2 s), no migration of this build is missing (a newer build's
 * migrations are fine: they are additive until the old build is gone), and a worker process's runner
 * is taking jobs.
 */
function checkReadiness(services: Services, started: () => boolean, worker: () => WorkerHandle | null): () => Promise<Readiness> {
  return async () => {
    const checks: Record<string, string> = {};
    checks.process = started() ? 'ok' : 'starting or stopping';
    try {
      const client = await services.pool.connect();
      try {
        await client.query("SET statement_timeout = '2s'");
        const pending = await pendingMigrations(client);
        checks.database = 'ok';
        checks.migrations = pending.length ? `pending: ${pending.join(', ')} (run --role migrate)` : 'ok';
      } finally {
        await client.query('RESET statement_timeout').catch(() => {});
        client.release();
      }
    } catch (e) {
      checks.database = `unreachable: ${(e as Error).message}`;
    }
    if (services.config.role !== 'api') checks.worker = worker()?.running() ? 'ok' : 'not running';
    return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}

/** The HTTP server: on an API process with GraphQL (HTTP and websockets) and the dashboard. */
async function startHttp(services: Services, metrics: Metrics, isReady: () => boolean, readiness: () => Promise<Readiness>, stops: Stops): Promise<string> {
  const { config, log } = services;
  const runsApi = config.role !== 'worker';
  const yoga = runsApi ? createGraphqlYoga(services, metrics) : null;
  const http = createHttpServer(createRouter({
    log, metrics, metricsToken: config.metricsToken, allowedOrigins: config.allowedOrigins, isReady, readiness,
    graphql: yoga && ((req, res) => serveGraphqlHttp(yoga, services, req, res)),
  }));
  stops.push(() => http.close());
  if (yoga) {
    const websockets = attachGraphqlWebsocket(http.server, yoga, services, metrics);
    stops.push(() => websockets.close());
  }
  return http.listen(config.port, config.host);
}
