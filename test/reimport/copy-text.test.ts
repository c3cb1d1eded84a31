// Reimport moves findings by COPY (server/src/db/copy-text.ts): every value a tool can send must come
// back out of PostgreSQL exactly as it went in.
import { describe, expect, it } from 'vitest';
import { copyRows, type CopyValue } from '@tributary/server/db/copy-text.ts';
import { reimportDb } from '../support/reimport.ts';

const db = reimportDb();

const AWKWARD = ['', 'plain', 'back\\slash', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'trailing\\', '\\N', '"quoted"', '{braces}',
  'comma,separated', 'NULL', 'ünïcødé ✓ 𝄞', '\\\\t', ' spaced '];

describe('COPY text rows', () => {
  it('round-trip every awkward string, array, number, boolean, date and null', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE t (n int, s text, a text[], i int[], f float8, b boolean, d timestamp(3)) ON COMMIT DROP');
      const at = new Date('2024-02-29T23:59:58.123Z');
      const rows: CopyValue[][] = AWKWARD.map((s, n) => [n, s, [s, 'x', s], [n, -n - 1], n / 3, n % 2 === 0, at]);
      rows.push([99, null, [], [], null, null, null]);
      await copyRows(client, 't', ['n', 's', 'a', 'i', 'f', 'b', 'd'], rows);
      const back = await client.query(`SELECT n, s, a, i, f, b, to_char(d, 'YYYY-MM-DD"T"HH24:MI:SS.MS') d FROM t ORDER BY n`);
      expect(back.rows).toEqual(rows.map(([n, s, a, i, f, b, d]) => ({ n, s, a, i, f, b, d: d ? '2024-02-29T23:59:58.123' : null })));
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
