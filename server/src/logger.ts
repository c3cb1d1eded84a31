// One structured logger (pino). Fields that could carry secrets are redacted by path as a second
// line of defence; the first is never logging them (connector errors are redacted at the source).
import pino from 'pino';

export function createLogger(level: string) {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['secret', '*.secret', 'token', '*.token', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'headerValue', '*.headerValue'],
      censor: '[redacted]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
