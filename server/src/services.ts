// The process's shared services, built once at start (app.ts) and handed to every layer: resolvers,
// operations, jobs and live streams all take this, so none of them reaches up to the GraphQL layer.
import type pg from 'pg';
import type { PrismaClient } from '@tributary/db';
import type { SecretBox } from './auth/secrets.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { LiveEvents } from './live/events.ts';

export interface Services {
  config: Config;
  prisma: PrismaClient;
  pool: pg.Pool;
  secrets: SecretBox;
  log: Logger;
  live: LiveEvents;
}
