// Rows into a table with COPY FROM STDIN, text format. Reimport moves each chunk of findings this way:
// as parameters of one INSERT … SELECT FROM unnest($1::text[], …), staging 100k findings took ~3.9 s
// (pg writing every array as a quoted literal, PostgreSQL parsing it back); COPY of the same rows
// into a temp table takes ~0.5 s.
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | boolean | Date | null | undefined | readonly string[] | readonly number[];

// COPY's text format: backslash escapes for the four characters that would end a field or a row
const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escape = (s: string) => s.replace(SPECIAL, (c) => ESCAPES[c]!);

// an array literal's elements are quoted, with `"` and `\` escaped inside the quotes
const arrayElement = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, '\\$&')}"`);

/** One field: NULL as \N, booleans as t/f, dates as ISO 8601, arrays as PostgreSQL array literals. */
export function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return escape(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString();
  return escape(`{${(v as readonly (string | number)[]).map(arrayElement).join(',')}}`);
}

/** COPY of `rows` (each in `columns` order) into `table`, one statement. */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: readonly CopyValue[][]): Promise<void> {
  let text = '';
  for (const row of rows) text += row.map(copyField).join('\t') + '\n';
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    sink.on('error', reject);
    sink.on('finish', resolve);
    sink.end(text);
  });
}
