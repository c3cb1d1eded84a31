// Applies prisma/migrations at start without Prisma's native schema engine (it cannot be downloaded
// here), keeping Prisma's own bookkeeping table `_prisma_migrations` exactly as `prisma migrate
// deploy` writes it, so the Prisma CLI keeps working for users who have its engines.
// test/migrations.test.ts checks both the schema and the bookkeeping against Prisma's WASM engine.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { LOCKS } from '../locks.ts';

export const migrationsDir = path.resolve(import.meta.dirname, '../../../prisma/migrations');

export async function listMigrations(dir = migrationsDir): Promise<Array<{ name: string; sql: string; checksum: string }>> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return Promise.all(names.map(async (name) => {
    const file = path.join(dir, name, 'migration.sql');
    if (!existsSync(file)) throw new Error(`migration ${name} has no migration.sql`);
    const sql = await readFile(file, 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  }));
}

/** Applies pending migrations, one transaction each, holding an advisory lock so that several
 *  processes starting at once (api + worker) apply each migration exactly once. */
export async function applyMigrations(pool: pg.Pool): Promise<string[]> {
  const migrations = await listMigrations();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCKS.migrations]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL');
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const row = done.get(m.name);
      if (row?.finished_at) {
        if (row.checksum !== m.checksum) console.warn(`[migrate] ${m.name} was edited after it was applied (checksum differs)`);
        continue;
      }
      if (row) throw new Error(`migration ${m.name} started earlier but never finished: resolve it by hand (prisma migrate resolve)`);
      await client.query('BEGIN');
      try {
        const id = randomUUID();
        await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [id, m.checksum, m.name]);
        await client.query(m.sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCKS.migrations]).catch(() => {});
    client.release();
  }
}

let known: Promise<string[]> | null = null;

/** Migrations of this build not (yet) applied to the database: /readyz asks on every probe. */
export async function pendingMigrations(db: pg.Pool | pg.PoolClient): Promise<string[]> {
  known ??= listMigrations().then((ms) => ms.map((m) => m.name));
  const names = await known;
  const { rows } = await db.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL AND migration_name = ANY($1::text[])', [names]);
  const done = new Set(rows.map((r) => r.migration_name));
  return names.filter((n) => !done.has(n));
}
