// Entry point: `pnpm start [--role all|api|worker]`.
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
  throw e;
}
const started = Date.now();
const app = await buildApp(config);

let stopping = false;
async function shutdown(signal: string, code: number) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down (finishing running jobs)…`);
  // a second signal, or 30 s, forces the exit
  const force = setTimeout(() => process.exit(code), 30_000);
  force.unref();
  await app.stop().catch((e) => console.error('shutdown:', e));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 130));
process.on('SIGTERM', () => void shutdown('SIGTERM', 143));

try {
  await app.start();
} catch (e) {
  console.error("Tributary could not start:", e instanceof Error ? e.message : e);
  await app.stop().catch(() => {});
  process.exit(1);
}
const db = config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`;
console.log(`Tributary (${config.role}) ready in ${Date.now() - started} ms on ${db}`);
if (config.role !== 'worker') console.log(`Open ${app.url}/ (dashboard) or ${app.url}/graphql (GraphiQL)`);
else console.log(`Worker health on ${app.url}/healthz`);
