// A fresh database per test file, cloned from the migrated template (global-setup.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('adminDatabaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  // CREATE DATABASE … TEMPLATE fails while another session is connected to the template: retry briefly
  for (let i = 0; ; i++) {
    try { await c.query(`CREATE DATABASE ${name} TEMPLATE tributary_template`); break; } catch (e) {
      if (i > 50 || !/being accessed/.test((e as Error).message)) { await c.end(); throw e; }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await c.end();
  const url = new URL(admin); url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
