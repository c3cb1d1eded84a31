// Environment → typed configuration, in one place (CONTRACT.md lists every variable).
import path from 'node:path';

export type Role = 'all' | 'api' | 'worker';

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
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = process.argv.slice(2)): Config {
  const role = argValue(argv, '--role') ?? env.TRIBUTARY_ROLE ?? 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker') throw new ConfigError(`--role must be all, api or worker (got "${role}")`);
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number (got "${env.PORT}")`);
  const concurrency = Number(env.TRIBUTARY_WORKER_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError('TRIBUTARY_WORKER_CONCURRENCY must be a positive integer');
  return {
    role,
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.TRIBUTARY_DATA_DIR || '.data'),
    adminEmail: env.TRIBUTARY_ADMIN_EMAIL || undefined,
    adminPassword: env.TRIBUTARY_ADMIN_PASSWORD || undefined,
    secretKey: env.TRIBUTARY_SECRET_KEY || undefined,
    smtpUrl: env.TRIBUTARY_SMTP_URL || undefined,
    mailFrom: env.TRIBUTARY_MAIL_FROM || 'tributary@localhost',
    slackApiUrl: env.TRIBUTARY_SLACK_API_URL || 'https://slack.com/api/',
    logLevel: env.LOG_LEVEL || 'info',
    workerConcurrency: concurrency,
  };
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
