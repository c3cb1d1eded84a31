// One structured logger (pino). Fields that could carry secrets are redacted by path as a second
// line of defence; the first is never logging them (connector errors are redacted at the source).
// Every line written while an HTTP request or a job runs carries its id (reqId / jobId, task) through
// AsyncLocalStorage, so the lines of one request or one job can be found together. On a terminal the
// lines are human-readable (pino-pretty); anywhere else one JSON object per line, for a log shipper.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import pretty from 'pino-pretty';

/** what every line logged inside withLogContext(fields, …) carries */
export type LogContext = { reqId?: string; jobId?: string; task?: string };

const logContext = new AsyncLocalStorage<LogContext>();

/** runs `fn` so that every line it logs (through any logger of ours) carries `fields` */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

export const REDACTED_PATHS = [
  'secret', '*.secret', 'token', '*.token', 'password', '*.password', 'authorization', '*.authorization',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  'headerValue', '*.headerValue', 'slackToken', '*.slackToken', 'connectionString', '*.connectionString', 'databaseUrl', '*.databaseUrl',
];

/**
 * `destination` defaults to stdout (pretty-printed when `format` is 'pretty'); tests pass an
 * in-memory stream to assert what was logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: 'json' | 'pretty' = 'json') {
  const stream = destination ?? (format === 'pretty'
    // synchronous: a line printed just before process.exit() (a failed start) is not lost
    // one line per event; a request's method, path, status and time are already its message
    ? pretty({ sync: true, colorize: !!process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, ignore: 'pid,hostname,scope,method,path,status,ms' })
    : undefined);
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => logContext.getStore() ?? {},
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }, stream);
}

export type Logger = ReturnType<typeof createLogger>;
