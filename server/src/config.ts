// Environment → typed configuration, in one place (CONTRACT.md lists every variable).
import path from 'node:path';
import proxyaddr from 'proxy-addr';

/** `migrate` applies the migrations and exits (a container runs it once before api and worker) */
export type Role = 'all' | 'api' | 'worker' | 'migrate';

export interface Config {
  role: Role;
  port: number;
  host: string;
  /** unset → embedded PostgreSQL in dataDir */
  databaseUrl?: string;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  /** 32-byte key, base64 or hex; unset → generated into dataDir */
  secretKey?: string;
  smtpUrl?: string;
  mailFrom: string;
  slackApiUrl: string;
  logLevel: string;
  /** graphile-worker jobs run at once per worker process */
  workerConcurrency: number;
  /** connections this process's pg pool may open (TRIBUTARY_DB_POOL_SIZE; a default per role, see poolSizeFor) */
  dbPoolSize: number;
  /** on SIGTERM, how long running jobs may take to finish before they are released to another worker */
  shutdownGraceMs: number;
  /** a worker process silent this long is dead: its jobs are unlocked for others (jobs/heartbeat.ts) */
  workerStaleMs: number;
  /** `pretty` (human lines, the default when stdout is a terminal) or `json` (one object per line) */
  logFormat: 'json' | 'pretty';
  /** the only directory tree a report-directory connector may read */
  sarifRoot: string;
  /** unset → /metrics is open; set → only `Authorization: Bearer <it>` */
  metricsToken?: string;
  /** origins (scheme://host[:port]) besides the server's own that browsers may call the API from */
  allowedOrigins: string[];
  /** reverse proxies whose X-Forwarded-For is believed (auth/client-address.ts); none by default */
  trustedProxies: string[];
  /** where people reach the dashboard: the links in mail, Slack, Teams and webhook messages */
  publicUrl: string;
  /** events for which system notification settings override a personal opt-out */
  notificationsSystemLevelTrump: string[];
  /** first wait before a failed delivery is tried again (doubling per attempt, capped at an hour) */
  deliveryBackoffMs: number;
  /** alerts kept per user; the oldest beyond this are removed */
  alertsPerUser: number;
  /** alerts older than this many days are removed by the hourly sweep */
  alertRetentionDays: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = process.argv.slice(2)): Config {
  const role = argValue(argv, '--role') ?? env.TRIBUTARY_ROLE ?? 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker' && role !== 'migrate') throw new ConfigError(`--role must be all, api, worker or migrate (got "${role}")`);
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number (got "${env.PORT}")`);
  const concurrency = Number(env.TRIBUTARY_WORKER_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError('TRIBUTARY_WORKER_CONCURRENCY must be a positive integer');
  const dataDir = path.resolve(env.TRIBUTARY_DATA_DIR || '.data');
  const allowedOrigins = (env.TRIBUTARY_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean).map((o) => {
    let u: URL;
    try { u = new URL(o); } catch { throw new ConfigError(`TRIBUTARY_ALLOWED_ORIGINS: "${o}" is not an origin like https://dashboard.example.com`); }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== o.replace(/\/+$/, '')) throw new ConfigError(`TRIBUTARY_ALLOWED_ORIGINS: "${o}" is not an origin like https://dashboard.example.com (scheme, host and port only)`);
    return u.origin;
  });
  const trustedProxies = (env.TRIBUTARY_TRUSTED_PROXIES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const entry of trustedProxies) {
    try { proxyaddr.compile(entry); } catch { throw new ConfigError(`TRIBUTARY_TRUSTED_PROXIES: "${entry}" is not an address, a CIDR or one of loopback, linklocal, uniquelocal`); }
  }
  return {
    role,
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    adminEmail: env.TRIBUTARY_ADMIN_EMAIL || undefined,
    adminPassword: env.TRIBUTARY_ADMIN_PASSWORD || undefined,
    secretKey: env.TRIBUTARY_SECRET_KEY || undefined,
    smtpUrl: env.TRIBUTARY_SMTP_URL || undefined,
    mailFrom: env.TRIBUTARY_MAIL_FROM || 'tributary@localhost',
    slackApiUrl: env.TRIBUTARY_SLACK_API_URL || 'https://slack.com/api/',
    logLevel: env.LOG_LEVEL || 'info',
    workerConcurrency: concurrency,
    dbPoolSize: env.TRIBUTARY_DB_POOL_SIZE ? positive(env, 'TRIBUTARY_DB_POOL_SIZE', 1) : poolSizeFor(role, concurrency),
    shutdownGraceMs: positive(env, 'TRIBUTARY_SHUTDOWN_GRACE_MS', 25_000),
    workerStaleMs: positive(env, 'TRIBUTARY_WORKER_STALE_MS', 15_000),
    logFormat: logFormat(env),
    sarifRoot: path.resolve(env.TRIBUTARY_SARIF_ROOT || path.join(dataDir, 'reports')),
    metricsToken: env.TRIBUTARY_METRICS_TOKEN || undefined,
    allowedOrigins,
    trustedProxies,
    publicUrl: (env.TRIBUTARY_PUBLIC_URL || `http://${env.HOST || '127.0.0.1'}:${port || 4000}`).replace(/\/+$/, ''),
    notificationsSystemLevelTrump: (env.TRIBUTARY_NOTIFICATIONS_SYSTEM_LEVEL_TRUMP ?? 'user_mentioned,review_requested').split(',').map((e) => e.trim()).filter(Boolean),
    deliveryBackoffMs: positive(env, 'TRIBUTARY_DELIVERY_BACKOFF_MS', 30_000),
    alertsPerUser: positive(env, 'TRIBUTARY_ALERTS_PER_USER', 500),
    alertRetentionDays: positive(env, 'TRIBUTARY_ALERT_RETENTION_DAYS', 90),
  };
}

/**
 * Connections per process when TRIBUTARY_DB_POOL_SIZE is unset. An API request holds one connection
 * (two inside a Prisma transaction); a worker job holds one, a reimport two (its transaction and the
 * staging COPY), and graphile-worker keeps one for LISTEN plus one for fetching jobs. Sized so a
 * worker never waits on its own pool, and so 2 API + 2 worker processes fit PostgreSQL's default
 * max_connections (100) with room for migrations and psql.
 */
export function poolSizeFor(role: Role, concurrency: number): number {
  if (role === 'migrate') return 2;
  if (role === 'api') return 10;
  if (role === 'worker') return 2 * concurrency + 4;
  return 10 + 2 * concurrency + 4;
}

function logFormat(env: Record<string, string | undefined>): 'json' | 'pretty' {
  const format = env.LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new ConfigError(`LOG_FORMAT must be json or pretty (got "${format}")`);
  return format;
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer (got "${env[name]}")`);
  return value;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
}

/**
 * TRIBUTARY_HTTP_TIMEOUT_MS overrides GuardedHttp's 30 s per-request timeout: for a tool known to be
 * slow, and for tests proving a timeout fails cleanly without waiting 30 s. Read on every use (not
 * into Config) so it can change without a restart.
 */
export function httpTimeoutMs(env: Record<string, string | undefined> = process.env): number | undefined {
  const ms = Number(env.TRIBUTARY_HTTP_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
