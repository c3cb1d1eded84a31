// `pnpm bench:sync`: 100,000 SARIF results through the sarif-directory connector and reimport(), on
// an embedded PostgreSQL, against a raw COPY of the same rows into a plain table (issue 14's
// targets, 2 cores): first import ≤ 3× COPY, 10% churn re-sync ≤ 1.5×, identical re-sync ≤ 1×, peak
// RSS < 400 MB (BENCH_FINDINGS=1000000 for the 1M-finding figure). The identical re-sync is run twice:
// the same file again (its fingerprint is unchanged, so it is not read: report-unchanged.ts), and the
// same bytes in a new file (read and compared finding by finding). A second baseline, COPY into
// "Finding" itself, shows what the table's indexes, foreign keys and triggers alone cost.
// Nothing here holds the report: the connector streams it, and the COPY baselines stream a file of
// COPY lines written beforehand. Peak RSS was 519 MB while the connector JSON.parse'd the whole file
// (270 MB for the parse alone); streamed, three syncs peak at 250–310 MB.
// BENCH_FINDINGS=10000 pnpm bench:sync runs a smaller report.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile as copyReport, mkdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { startEmbeddedPostgres, createPool } from '@tributary/server/db/postgres.ts';
import { applyMigrations } from '@tributary/server/db/migrate.ts';
import { sarifDirectoryKind } from '@tributary/server/connectors/sarif-directory.ts';
import type { HashField, KindContext, NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import { reimport, type ReimportResult } from '@tributary/server/operations/reimport.ts';
import { prepareFinding } from '@tributary/server/operations/reimport-prepare.ts';
import { writeSarifReport } from './sarif-report.ts';

const N = Number(process.env.BENCH_FINDINGS ?? 100_000);
const work = path.resolve(import.meta.dirname, '..', '.data', `bench-sync-${process.pid}`);
const sarifRoot = path.join(work, 'sarif');
const vepDir = path.join(sarifRoot, 'webapp');

const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} findings/s`;

async function main() {
  await mkdir(vepDir, { recursive: true });
  const pgHandle = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  const pool = createPool(pgHandle.url, 4);
  try {
    await applyMigrations(pool);
    const ctx = { config: { url: '', secret: null, options: { path: sarifRoot } }, http: undefined as never, sarifRoot } as KindContext;
    const vep = { key: 'webapp', name: 'webapp' };
    const fetch = () => sarifDirectoryKind.fetchFindings(ctx, vep);
    const reportFingerprint = () => sarifDirectoryKind.reportFingerprint!(ctx, vep);
    const testId = await createTest(pool);

    // report 1: results 0…N; report 2: the first 10% gone, 10% new (N…1.1N)
    const tenth = Math.round(N / 10);
    const t0 = Date.now();
    await writeSarifReport(path.join(vepDir, 'report-1.sarif'), [[0, N]]);
    console.log(`generated ${N.toLocaleString('en')} SARIF results in ${Date.now() - t0} ms (${mb()} MB RSS)`);

    let parsed = 0;
    const tp = Date.now();
    for await (const page of fetch()) parsed += page.length;
    const parseMs = Date.now() - tp;
    const parseRss = mb();
    console.log(`parse only (sarif-directory fetchFindings): ${parsed.toLocaleString('en')} in ${parseMs} ms, ${rate(parsed, parseMs)} (peak RSS ${parseRss} MB)`);

    const opts = { testId, dedupe: sarifDirectoryKind.dedupe, minimumSeverity: 'INFO' as const, doNotReactivate: false, scanType: 'SARIF', reportFingerprint };
    const run = async (label: string): Promise<{ ms: number; r: ReimportResult }> => {
      const t = Date.now();
      const r = await reimport(pool, opts, fetch());
      const ms = Date.now() - t;
      console.log(`${label}: ${ms} ms, ${rate(N, ms)} — new ${r.newIds.length}, untouched ${r.untouchedIds.length}, `
        + `closed ${r.closedIds.length}, reactivated ${r.reactivatedIds.length}, updated ${r.updatedIds.length}, `
        + `rejected ${r.rejected.length}, collapsed ${r.collapsedDuplicates}${r.reportUnchanged ? ', report unchanged: not read' : ''} (peak RSS ${mb()} MB)`);
      return { ms, r };
    };

    const a = await run('(a) first import');
    await writeSarifReport(path.join(vepDir, 'report-2.sarif'), [[tenth, N + tenth]]);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(vepDir, 'report-2.sarif'), later, later);
    const b = await run('(b) 10% removed, 10% new');
    const c = await run('(c) identical report again');
    await copyReport(path.join(vepDir, 'report-2.sarif'), path.join(vepDir, 'report-3.sarif'));
    const later2 = new Date(Date.now() + 120_000);
    await utimes(path.join(vepDir, 'report-3.sarif'), later2, later2);
    const c2 = await run('(c2) the same bytes in a new file');
    const syncRss = mb();

    // the baselines' rows are read, hashed and written as COPY text before the clock starts: they
    // measure COPY alone
    const copyFile = path.join(work, 'copy.tsv');
    await writeCopyFile(copyFile, fetch(), opts.dedupe.hashFields);
    await pool.query('CREATE TABLE copy_baseline (LIKE "Finding" INCLUDING DEFAULTS)');
    const d = await copyRows(pool, 'copy_baseline', testId, copyFile);
    console.log(`(d) COPY baseline, the same ${N.toLocaleString('en')} rows into a plain table with Finding's columns: ${d} ms, ${rate(N, d)}`);
    const indexes = (await pool.query(`SELECT 1 FROM pg_indexes WHERE tablename = 'Finding'`)).rowCount;
    const e = await copyRows(pool, '"Finding"', await createTest(pool, 'bench-copy'), copyFile);
    console.log(`(e) the same COPY into "Finding" itself (its ${indexes} indexes and 2 foreign keys): ${e} ms, ${rate(N, e)}`);
    console.log('\nsummary (a sync includes reading and parsing the SARIF file; COPY does not)');
    const rows = [['(a) first import', a, 3], ['(b) 10%/10% change', b, 1.5], ['(c) identical', c, 1], ['(c2) same bytes, new file', c2, null]] as const;
    for (const [label, x, target] of rows) {
      const ratio = x.ms / d;
      const verdict = target === null ? '' : `  target ≤ ${target}×: ${ratio <= target ? 'met' : 'NOT met'}`;
      console.log(`  ${label.padEnd(26)} ${String(x.ms).padStart(6)} ms  ${rate(N, x.ms).padStart(22)}  ${ratio.toFixed(2)}× COPY`
        + `  (${((x.ms - parseMs) / d).toFixed(2)}× without the ${parseMs} ms parse)${verdict}`);
    }
    console.log(`  (d) COPY                   ${String(d).padStart(6)} ms  ${rate(N, d).padStart(22)}`);
    console.log(`  (e) COPY to Finding        ${String(e).padStart(6)} ms  ${rate(N, e).padStart(22)}  ${(e / d).toFixed(2)}× COPY: the floor this schema sets`);
    console.log(`  peak RSS during syncs ${syncRss} MB (parse alone peaked at ${parseRss} MB), whole run ${mb()} MB: `
      + `target < 400 MB ${syncRss < 400 ? 'met' : 'NOT met'}`);
  } finally {
    await pool.end();
    await pgHandle.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function createTest(pool: import('pg').Pool, product = 'bench'): Promise<number> {
  const r = await pool.query<{ id: number }>(`
    WITH p AS (INSERT INTO "Product" (name, "updatedAt") VALUES ($1, now()) RETURNING id),
         e AS (INSERT INTO "Engagement" ("productId", name, "updatedAt") SELECT id, 'Global Connectors', now() FROM p RETURNING id)
    INSERT INTO "Test" ("engagementId", title, "updatedAt") SELECT id, 'SARIF directory', now() FROM e RETURNING id`, [product]);
  return r.rows[0]!.id;
}

const COPY_COLUMNS = ['testId', 'title', 'description', 'severity', 'hashCode', 'uniqueIdFromTool', 'vulnIdFromTool', 'filePath', 'line',
  'cwe', 'vulnerabilityIds', 'references', 'staticFinding', 'dynamicFinding', 'falsePositive', 'isMitigated', 'mitigatedAt', 'date', 'updatedAt'];

/** The report's findings as COPY text lines; `\x01` stands for the test id, which differs per table. */
async function writeCopyFile(file: string, pages: AsyncIterable<NormalizedFinding[]>, hashFields: readonly HashField[]): Promise<void> {
  const out = createWriteStream(file);
  const now = new Date().toISOString();
  for await (const page of pages) {
    let chunk = '';
    for (const f of page) {
      const hashCode = (prepareFinding(f, hashFields) as { finding: { hashCode: string } }).finding.hashCode;
      chunk += ['\x01', f.title, f.description ?? '', f.severity, hashCode, f.uniqueIdFromTool, f.vulnIdFromTool, f.filePath, f.line, f.cwe,
        pgArray(f.vulnerabilityIds ?? []), f.references, f.staticFinding ?? false, f.dynamicFinding ?? false, f.falsePositive ?? false,
        f.mitigated ?? false, f.mitigatedAt?.toISOString() ?? null, f.date?.toISOString() ?? now, now].map(copyField).join('\t') + '\n';
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** One COPY of the file's rows into `table`; returns ms. */
async function copyRows(pool: import('pg').Pool, table: string, testId: number, file: string): Promise<number> {
  const client = await pool.connect();
  try {
    const t = Date.now();
    const columns = COPY_COLUMNS.map((c) => `"${c}"`).join(', ');
    const sink = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
    async function* lines() {
      for await (const text of createReadStream(file, { encoding: 'utf8' })) yield (text as string).replaceAll('\x01', String(testId));
    }
    await pipeline(Readable.from(lines()), sink);
    return Date.now() - t;
  } finally {
    client.release();
  }
}

function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function pgArray(ids: string[]): string {
  return `{${ids.map((id) => `"${id.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
