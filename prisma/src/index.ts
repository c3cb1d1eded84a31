import type pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export * from './generated/prisma/client.ts';

/** A Prisma client on the process's shared pg pool (one pool for Prisma, raw SQL and graphile-worker). */
export function createPrisma(pool: pg.Pool, opts: { log?: (sql: string) => void } = {}): PrismaClient {
  const client = new PrismaClient({
    adapter: new PrismaPg(pool),
    log: opts.log ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (opts.log) (client as any).$on('query', (e: { query: string }) => opts.log!(e.query));
  return client;
}
