// Entry point: `pnpm start [--role all|api|worker|migrate]` (or `node server/dist/main.js …` built).
// SIGTERM / SIGINT stop the process gracefully (app.ts stop(): websockets closed with 1012, HTTP
// drained, running jobs given TRIBUTARY_SHUTDOWN_GRACE_MS); a second signal, or the grace period
// plus the time to unwind, forces the exit.
import { buildApp, migrateDatabase } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { ABORT_UNWIND_MS } from './jobs/worker.ts';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
  throw e;
}
const log = createLogger(config.logLevel, undefined, config.logFormat);
const started = Date.now();

// A promise rejected with no handler is a bug whose side effects are unknown (a job's end not
// recorded, a lock not released), so the process still ends, non-zero, as Node would: its
// orchestrator restarts it and the heartbeat (jobs/heartbeat.ts) hands its jobs on. But it ends
// through our logger, as one structured line with the stack — Node's own message went to stderr
// unstructured and easy to lose (test/reliability/postgres-restarts.test.ts: the worker's exits on a
// PostgreSQL restart came from graphile-worker's un-awaited job release, see jobs/worker.ts).
process.on('unhandledRejection', (reason) => {
  log.fatal({ err: reason }, `unhandled promise rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
  process.exit(1);
});

if (config.role === 'migrate') {
  try {
    const applied = await migrateDatabase(config, log);
    log.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'migrations already current');
    process.exit(0);
  } catch (e) {
    log.error({ err: e }, 'migrations failed');
    process.exit(1);
  }
}

const app = await buildApp(config, { logger: log });

let stopping = false;
async function shutdown(signal: string, code: number) {
  if (stopping) {
    log.warn(`${signal} again: exiting now`);
    process.exit(code);
  }
  stopping = true;
  log.info({ graceMs: config!.shutdownGraceMs }, `${signal}: shutting down (closing websockets, draining requests, finishing running jobs)`);
  const force = setTimeout(() => {
    log.error('shutdown took too long: exiting');
    process.exit(code);
  }, config!.shutdownGraceMs + ABORT_UNWIND_MS + 15_000);
  force.unref();
  await app.stop().catch((e) => log.error({ err: e }, 'shutdown'));
  log.info(`stopped in ${Date.now() - stoppedAt} ms`);
  process.exit(code);
}
let stoppedAt = 0;
process.on('SIGINT', () => { stoppedAt ||= Date.now(); void shutdown('SIGINT', 130); });
process.on('SIGTERM', () => { stoppedAt ||= Date.now(); void shutdown('SIGTERM', 143); });

try {
  await app.start();
} catch (e) {
  log.error({ err: e }, `Tributary could not start: ${e instanceof Error ? e.message : e}`);
  await app.stop().catch(() => {});
  process.exit(1);
}
const db = config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`;
log.info(`Tributary (${config.role}) ready in ${Date.now() - started} ms on ${db}`);
if (config.role !== 'worker') log.info(`Open ${app.url}/ (dashboard) or ${app.url}/graphql (GraphiQL)`);
else log.info(`Worker health on ${app.url}/healthz`);
