// One structured logger (pino). Fields that could carry secrets are redacted by path as a second
// line of defence; the first is never logging them (connector errors are redacted at the source).
import pino from 'pino';

/** `destination` defaults to stdout; tests pass an in-memory stream to assert what was logged. */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['secret', '*.secret', 'token', '*.token', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'headerValue', '*.headerValue'],
      censor: '[redacted]',
    },
  }, destination);
}

export type Logger = ReturnType<typeof createLogger>;
