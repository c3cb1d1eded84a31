import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { listMigrations } from '@tributary/server/db/migrate.ts';
import { pendingSchemaChange } from '../prisma/scripts/schema-engine.ts';
import { createTestDatabase } from './support/db.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

it('the committed migrations produce exactly the schema in schema.prisma', async () => {
  // Prisma's own engine replays the migrations on a shadow database and diffs against schema.prisma;
  // devDiagnostic also reads our _prisma_migrations rows, so a bookkeeping mismatch fails here too.
  expect(await pendingSchemaChange(db.url)).toBe('');
});

it('records every migration in _prisma_migrations as prisma migrate deploy does', async () => {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const { rows } = await c.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
  await c.end();
  const expected = await listMigrations();
  expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(expected.map((m) => [m.name, m.checksum, 1]));
  expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
});
