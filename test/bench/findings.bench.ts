// `pnpm bench:findings`: reading findings at scale through GraphQL, as the dashboard and an
// integrator do. N findings (default 1,000,000; N=10000000 by hand) over 50 products are loaded
// with SQL into an embedded PostgreSQL and `vacuum analyze`d; then one API process answers each
// read RUNS times (after WARMUP) and the bench prints median and p95 beside the issue's target,
// and the ratio to a baseline measured in the same run: `{ viewer { id } }`, the round trip of
// HTTP + GraphQL + one indexed row. auto_explain (loaded for the API's sessions only) records every
// statement slower than 10 ms; the slowest is printed with its EXPLAIN (ANALYZE, BUFFERS).
// N=100000 pnpm bench:findings for a quick run.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { spawnServer, type ServerProcess } from '../support/processes.ts';

const N = Number(process.env.N ?? 1_000_000);
const PRODUCTS = 50;
const RUNS = Number(process.env.RUNS ?? 20);
const WARMUP = 3;

/** the issue's targets (ms, median) */
const TARGET = { firstPage: 50, cursorPage: 20, productCounts: 30 } as const;

const FIRST_PAGE = `query($f: FindingFilter, $after: String, $first: Int!) { findings(first: $first, after: $after, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { id title severity active filePath line test { id title engagement { id name product { id name } } } } } }`;
const PRODUCT_COUNTS = `{ products(first: 20) { nodes { id name
  critical: findings(filter: { active: true, severities: [CRITICAL] }) { totalCount }
  high: findings(filter: { active: true, severities: [HIGH] }) { totalCount }
  medium: findings(filter: { active: true, severities: [MEDIUM] }) { totalCount }
  low: findings(filter: { active: true, severities: [LOW] }) { totalCount }
  info: findings(filter: { active: true, severities: [INFO] }) { totalCount } } } }`;
const FINDING_PAGE = `query($id: ID!) { node(id: $id) { ... on Finding { id title description severity active verified falsePositive riskAccepted
  filePath line cwe vulnerabilityIds componentName componentVersion mitigation references
  test { id title engagement { id name product { id name } } } } } }`;

/** every statement auto_explain logged (the API's, over 10 ms), as PostgreSQL wrote it */
const explained: string[] = [];

async function main() {
  const work = path.resolve(import.meta.dirname, '..', '.data', `bench-findings-${process.pid}`);
  await mkdir(work, { recursive: true });
  // PostgreSQL's log reaches us through startEmbeddedPostgres's PG_DEBUG echo: keep auto_explain's records, print nothing
  process.env.PG_DEBUG = '1';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('[pg] ')) return write(chunk as never, ...(rest as []));
    if (text.includes('duration:') && text.includes('plan:')) explained.push(text.slice(5));
    return true;
  }) as typeof process.stderr.write;

  const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  const db = new pg.Client({ connectionString: postgres.url });
  let api: ServerProcess | undefined;
  try {
    // the first API process migrates, then goes: the one timed starts after auto_explain is set
    await (await spawnServer('api', postgres.url)).stop();
    await db.connect();
    const t0 = performance.now();
    await load(db);
    console.log(`Tributary findings bench: ${N.toLocaleString('en')} findings over ${PRODUCTS} products loaded and analyzed in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${(await import('node:os')).cpus().length} cores; one API process; ${RUNS} runs after ${WARMUP} warm-up\n`);
    await db.query(`ALTER DATABASE bench SET session_preload_libraries = 'auto_explain'`);
    for (const [k, v] of [['log_min_duration', '10ms'], ['log_analyze', 'on'], ['log_buffers', 'on'], ['log_timing', 'on'], ['log_nested_statements', 'on']]) {
      await db.query(`ALTER DATABASE bench SET auto_explain.${k} = '${v}'`);
    }
    api = await spawnServer('api', postgres.url);
    const token = await api.login();
    const ask = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await api!.gql(query, variables, token);
      if (res.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.errors)}`);
      return res.data;
    };

    const baseline = await time(() => ask('{ viewer { id } }'));
    const first = (await ask(FIRST_PAGE, { first: 50 })).findings;
    const product = first.nodes[0].test.engagement.product.id;
    await checkTotals(db, ask, product);
    const deep = await deepCursor(db, ask);
    const rows: Array<[string, Timing, number | null]> = [
      ['first page of 50 with totalCount, all findings', await time(() => ask(FIRST_PAGE, { first: 50 })), TARGET.firstPage],
      ['first page of 50, active CRITICAL+HIGH', await time(() => ask(FIRST_PAGE, { first: 50, f: { active: true, severities: ['CRITICAL', 'HIGH'] } })), TARGET.firstPage],
      ['first page of 50, one product', await time(() => ask(FIRST_PAGE, { first: 50, f: { productId: product } })), TARGET.firstPage],
      ['cursor page of 100 half-way down the list', await time(() => ask(FIRST_PAGE, { first: 100, after: deep })), TARGET.cursorPage],
      ['20 products with open-finding counts by severity', await time(() => ask(PRODUCT_COUNTS)), TARGET.productCounts],
      ["a finding's page", await time(() => ask(FINDING_PAGE, { id: first.nodes[0].id })), null],
    ];
    console.log(`baseline { viewer { id } }: median ${baseline.median.toFixed(1)} ms, p95 ${baseline.p95.toFixed(1)} ms\n`);
    console.log('| read | median | p95 | × baseline | target (median) | met |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, t, target] of rows) {
      console.log(`| ${name} | ${t.median.toFixed(1)} ms | ${t.p95.toFixed(1)} ms | ${(t.median / baseline.median).toFixed(1)} | ${target === null ? '—' : `≤ ${target} ms`} | ${target === null ? '' : t.median <= target ? 'yes' : 'no'} |`);
    }
    const slowest = explained.map((e) => ({ e, ms: Number(/duration: ([\d.]+) ms/.exec(e)?.[1] ?? 0) })).sort((a, b) => b.ms - a.ms)[0];
    if (slowest) console.log(`\nthe slowest statement the API ran (${explained.length} over 10 ms in all), EXPLAIN (ANALYZE, BUFFERS):\n${slowest.e.trim()}`);
  } finally {
    await api?.stop();
    await db.end().catch(() => {});
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * 50 products, each with the connectors' engagement and one test; N findings spread over them with
 * a severity mix like a real portfolio (2% Critical, 10% High, 30% Medium, 38% Low, 20% Info) and
 * 70% active, written by one INSERT … SELECT per product.
 */
async function load(db: pg.Client) {
  await db.query(`INSERT INTO "Product" (name, "updatedAt") SELECT 'Product ' || lpad(i::text, 2, '0'), now() FROM generate_series(1, ${PRODUCTS}) i`);
  await db.query(`INSERT INTO "Engagement" ("productId", name, "updatedAt") SELECT id, 'Global Connectors', now() FROM "Product"`);
  await db.query(`INSERT INTO "Test" ("engagementId", title, "updatedAt") SELECT id, 'SARIF', now() FROM "Engagement"`);
  const tests = (await db.query<{ id: number }>('SELECT id FROM "Test" ORDER BY id')).rows.map((r) => r.id);
  const per = Math.ceil(N / tests.length);
  for (const [i, testId] of tests.entries()) {
    const from = i * per;
    const to = Math.min(N, from + per) - 1;
    if (to < from) break;
    await db.query(`
      INSERT INTO "Finding" ("testId", title, description, severity, active, "isMitigated", "hashCode", "uniqueIdFromTool", "filePath", line, cwe, date)
      SELECT $1, 'Finding ' || n, 'Description of finding ' || n,
        (CASE WHEN r < 0.02 THEN 'CRITICAL' WHEN r < 0.12 THEN 'HIGH' WHEN r < 0.42 THEN 'MEDIUM' WHEN r < 0.80 THEN 'LOW' ELSE 'INFO' END)::"Severity",
        a, NOT a, md5(n::text), 'uid-' || n, 'src/module' || (n % 500) || '.ts', n % 2000, 79, now() - (n % 365) * interval '1 day'
      FROM (SELECT n, (hashtext(n::text) & 1023) / 1024.0 AS r, (hashtext('a' || n) & 1023) < 717 AS a FROM generate_series($2::int, $3::int) n) s`,
      [testId, from, to]);
  }
  await db.query('VACUUM ANALYZE');
}

/** the cursor of the finding half-way down the root list (the API's own cursor, read from a page that ends there) */
async function deepCursor(db: pg.Client, ask: (q: string, v?: Record<string, unknown>) => Promise<any>): Promise<string> {
  // a page's endCursor encodes its last id; build the one of the middle row the same way
  const sample = (await ask(FIRST_PAGE, { first: 1 })).findings.pageInfo.endCursor as string;
  const [{ id: firstId }] = (await db.query('SELECT id FROM "Finding" ORDER BY severity, id LIMIT 1')).rows;
  const decoded = Buffer.from(sample, 'base64').toString();
  if (!decoded.endsWith(String(firstId))) throw new Error(`unexpected cursor shape ${decoded}`);
  const [{ id: middle }] = (await db.query(`SELECT id FROM "Finding" ORDER BY severity, id OFFSET ${Math.floor(N / 2)} LIMIT 1`)).rows;
  return Buffer.from(decoded.slice(0, decoded.length - String(firstId).length) + middle).toString('base64');
}

/**
 * totalCount is summed from per-test counters (FindingCount), not counted: a fast wrong count is
 * worse than a slow right one, so each filter timed below is first checked against count(*).
 */
async function checkTotals(db: pg.Client, ask: (q: string, v?: Record<string, unknown>) => Promise<any>, product: string) {
  const productId = Number(Buffer.from(product, 'base64').toString().split(':')[1]);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{}, 'true'],
    [{ active: true, severities: ['CRITICAL', 'HIGH'] }, `f.active AND f.severity IN ('CRITICAL', 'HIGH')`],
    [{ productId: product }, `e."productId" = ${productId}`],
  ];
  for (const [f, where] of cases) {
    const got = (await ask(FIRST_PAGE, { first: 1, f })).findings.totalCount;
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM "Finding" f JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId" WHERE ${where}`)).rows;
    if (got !== n) throw new Error(`totalCount ${got} for ${JSON.stringify(f)}, but count(*) is ${n}`);
  }
  console.log(`totalCount equals count(*) for each filter timed (all: ${N.toLocaleString('en')})\n`);
}

interface Timing { median: number; p95: number }

async function time(run: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < WARMUP; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, p95: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)]! };
}

await main();
