// `pnpm bench:live [--subscribers=1000,10000] [--users=1 [--distinct-rights]] [--changes=60] [--interval=200] [--per-client=2500] [--profile=<dir>]`:
// one API and one worker process on an embedded PostgreSQL; a separate writer process changes
// operations (live/writer.ts), each change committed on its own and stamped just before it is sent;
// subscribers to operationChanged, each on its own websocket, spread over client processes of at
// most --per-client each (live/subscribers.ts), note when each change arrives. With --users=K the
// subscribers take turns over K users: the admin and K-1 global Readers with API tokens, who share
// answers as viewers with the same rights (graphql/live-execution.ts), unless --distinct-rights gives
// each Reader a role on a product of its own, so that no two subscribers of different users can
// share one (the cost of an event before answers were shared at all). For 1 subscriber
// (the baseline) and then each N it prints commit→client latency p50/p99/max, deliveries, the p99 as
// a multiple of the baseline's in the same run, the API process's CPU time per change, the busiest
// client event loop, and the API's memory per idle subscription (JS heap + external after a full GC).
// Targets (2 cores): p99 < 100 ms at 1,000 subscribers, < 50 KB per idle subscription.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { hashToken } from '@tributary/server/auth/tokens.ts';
import { freePort, startEmbeddedPostgres } from '@tributary/server/db/postgres.ts';
import { CREATE_CONNECTOR } from '../support/documents.ts';
import { rowId } from '../support/graphql.ts';
import { spawnServer, type ServerProcess } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { cpuMs, Inspector, summarize } from './live/inspector.ts';
import type { FromClients, ToClients } from './live/subscribers.ts';

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const SUBSCRIBERS = (option('subscribers') ?? '1000,10000').split(',').map(Number);
const CHANGES = Number(option('changes') ?? 60);
const INTERVAL_MS = Number(option('interval') ?? 200);
/**
 * Subscribers per client process. One process receiving 10,000 messages per change spends its own
 * event loop on them, and the last subscriber's arrival then measures the bench as much as the API;
 * with 2,500 per process the busiest client loop was at most 12% busy in the README's runs (printed).
 */
const PER_CLIENT = Number(option('per-client') ?? 2500);
const PROFILE_DIR = option('profile');
const USERS = Number(option('users') ?? 1);
const DISTINCT_RIGHTS = process.argv.includes('--distinct-rights');
/** one operation's life in the writer: PENDING, RUNNING, three progress steps, SUCCEEDED */
const STEPS = 6;
const QUERY = 'subscription($c: ID) { operationChanged(connectorId: $c) { id status progress } }';

/**
 * The API holds one socket per subscriber, each client process its share, and the limit is
 * inherited from this process: a soft limit below that is raised (up to the hard limit) by running
 * the bench again under `ulimit -n`; node cannot raise its own.
 */
function ensureFileLimit(needed: number) {
  const [soft, hard] = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))!.slice(1).map((v) => (v === 'unlimited' ? Infinity : Number(v))) as [number, number];
  if (soft >= needed) return;
  if (hard < needed || process.env.BENCH_LIVE_ULIMIT) {
    throw new Error(`${needed} open files needed (the API holds one socket per subscriber) but the hard limit is ${hard}: raise it (LimitNOFILE, /etc/security/limits.conf, or ulimit -Hn as root)`);
  }
  console.log(`raising the open-file limit from ${soft} to ${needed} (ulimit -n)`);
  const r = spawnSync('sh', ['-c', `ulimit -n ${needed} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_LIVE_ULIMIT: '1' } });
  process.exit(r.status ?? 1);
}

interface Result {
  subscribers: number; p50: number; p99: number; max: number; delivered: number; expected: number; repeated: number;
  apiCpuMsPerChange: number; clientElu: number; kbPerIdleSubscription?: number;
}

class Clients {
  private readonly children: ChildProcess[] = [];
  private constructor() {}

  /** opens `n` subscribers over ceil(n / PER_CLIENT) processes */
  static async open(api: ServerProcess, tokens: string[], connectorGid: string, n: number): Promise<Clients> {
    const clients = new Clients();
    const processes = Math.ceil(n / PER_CLIENT);
    let first = 0;
    await Promise.all(Array.from({ length: processes }, (_, i) => {
      const child = fork(path.join(import.meta.dirname, 'live', 'subscribers.ts'), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
      child.on('message', (m: FromClients) => { if (m.type === 'failed') console.error(`client ${i}: ${m.message}`); });
      clients.children.push(child);
      const count = Math.floor(n / processes) + (i < n % processes ? 1 : 0);
      // subscriber number k (over all processes) uses tokens[k % tokens.length]
      const theirs = Array.from({ length: Math.min(count, tokens.length) }, (_, j) => tokens[(first + j) % tokens.length]!);
      first += count;
      return clients.ask(child, { type: 'open', url: api.url, tokens: theirs, query: QUERY, variables: { c: connectorGid }, count }, 'opened');
    }));
    return clients;
  }

  private ask<T extends FromClients['type']>(child: ChildProcess, m: ToClients, reply: T): Promise<Extract<FromClients, { type: T }>> {
    return new Promise((resolve) => {
      const on = (r: FromClients) => { if (r.type === reply) { child.off('message', on); resolve(r as never); } };
      child.on('message', on);
      child.send(m);
    });
  }

  startRun(run: number) {
    for (const c of this.children) c.send({ type: 'run', run } satisfies ToClients);
  }

  async delivered(): Promise<number> {
    const replies = await Promise.all(this.children.map((c) => this.ask(c, { type: 'count' }, 'counted')));
    return replies.reduce((s, r) => s + r.delivered, 0);
  }

  async collect() {
    const replies = await Promise.all(this.children.map((c) => this.ask(c, { type: 'collect' }, 'collected')));
    return {
      latencies: replies.flatMap((r) => [...r.latencies]),
      repeated: replies.reduce((s, r) => s + r.repeated, 0),
      elu: Math.max(...replies.map((r) => r.elu)),
    };
  }

  async close() {
    await Promise.all(this.children.map((c) => { const exited = new Promise((r) => c.once('exit', r)); c.send({ type: 'close' } satisfies ToClients); return exited; }));
  }
}

/**
 * `n` global Readers, each with an API token (and with --distinct-rights a Reader role on a product
 * of its own), written straight to the database: a login each would take minutes.
 */
async function readerTokens(databaseUrl: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  const tokens = Array.from({ length: n }, (_, i) => `trt_bench_reader_${i}`);
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  await sql.query(`WITH u AS (
      INSERT INTO "User" (email, "passwordHash", "globalRole") SELECT 'reader' || i || '@bench.example', 'none', 'READER' FROM generate_series(0, $1::int - 1) i RETURNING id, email)
    INSERT INTO "ApiToken" (name, "tokenHash", "userId") SELECT 'bench', h.hash, u.id FROM u JOIN unnest($2::text[], $3::text[]) h(email, hash) ON h.email = u.email`,
  [n, tokens.map((_, i) => `reader${i}@bench.example`), tokens.map(hashToken)]);
  if (DISTINCT_RIGHTS) {
    await sql.query(`WITH p AS (INSERT INTO "Product" (name, "updatedAt") SELECT email, now() FROM "User" WHERE email LIKE '%@bench.example' RETURNING id, name)
      INSERT INTO "ProductMember" ("productId", "userId", role) SELECT p.id, u.id, 'READER' FROM p JOIN "User" u ON u.email = p.name`);
  }
  await sql.end();
  return tokens;
}

async function main() {
  ensureFileLimit(Math.max(...SUBSCRIBERS) + 1024);
  const work = path.resolve(import.meta.dirname, '..', '.data', `bench-live-${process.pid}`);
  await mkdir(work, { recursive: true });
  if (PROFILE_DIR) await mkdir(PROFILE_DIR, { recursive: true });
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), database: 'bench' });
  const processes: ServerProcess[] = [];
  let inspector: Inspector | undefined;
  let open: Clients | undefined;
  try {
    const inspectorPort = await freePort();
    // the API process migrates; the worker starts after it
    const api = await spawnServer('api', postgres.url, { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}`, TRIBUTARY_SARIF_ROOT: work });
    processes.push(api, await spawnServer('worker', postgres.url, { TRIBUTARY_SARIF_ROOT: work }));
    inspector = await Inspector.connect(inspectorPort);
    const token = await api.login();
    const input = { name: 'bench', kind: 'sarif-directory', url: '', options: { path: work }, discoverSchedule: null, syncSchedule: null };
    const connectorGid: string = (await api.ok(CREATE_CONNECTOR, { i: input }, token)).createConnector.connector.id;
    const connectorId = rowId(connectorGid);
    const tokens = [token, ...(await readerTokens(postgres.url, USERS - 1))];
    const subscriptions = () => api.metric('tributary_live_subscriptions');
    let run = 0;

    /** runs the writer and collects the latency of every change it writes at every subscriber */
    const measure = async (clients: Clients, n: number, changes: number, profile?: string) => {
      clients.startRun(++run);
      if (profile) await inspector!.startProfile();
      const cpuBefore = cpuMs(api.pid);
      const writer = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'live', 'writer.ts'),
        postgres.url, String(connectorId), String(run), String(changes), String(INTERVAL_MS), String(STEPS)], { stdio: 'inherit' });
      await new Promise((r) => writer.once('exit', r));
      const expected = n * changes;
      // deliveries still under way when the writer is done are waited for (60 s at most) and counted
      for (const deadline = Date.now() + 60_000; (await clients.delivered()) < expected && Date.now() < deadline;) await sleep(250);
      const got = await clients.collect();
      const apiCpuMsPerChange = (cpuMs(api.pid) - cpuBefore) / changes;
      if (profile) {
        const cpuProfile = await inspector!.stopProfile();
        await writeFile(path.join(PROFILE_DIR!, `${profile}.cpuprofile`), JSON.stringify(cpuProfile));
        const s = summarize(cpuProfile);
        console.log(`API CPU profile, ${n} subscribers: ${s.busyMs.toFixed(0)} ms busy over ${changes} changes (${PROFILE_DIR}/${profile}.cpuprofile)`);
        for (const [place, ms] of s.byPlace) console.log(`  ${(ms / changes).toFixed(2).padStart(8)} ms/change  ${place}`);
        console.log('  top functions (self time):');
        for (const [fn, ms] of s.byFunction) console.log(`  ${(ms / changes).toFixed(2).padStart(8)} ms/change  ${fn}`);
      }
      const l = got.latencies.sort((a, b) => a - b);
      const at = (q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))] ?? NaN;
      return { p50: at(0.5), p99: at(0.99), max: l.at(-1) ?? NaN, delivered: l.length, expected, repeated: got.repeated, apiCpuMsPerChange, clientElu: got.elu };
    };

    const results: Result[] = [];
    for (const n of [1, ...SUBSCRIBERS]) {
      const before = n > 1 ? await inspector.memoryAfterGc() : undefined;
      open = await Clients.open(api, tokens, connectorGid, n);
      await waitFor(async () => (await subscriptions()) === n, `${n} subscriptions`, 300_000);
      let kbPerIdleSubscription: number | undefined;
      if (before) {
        await sleep(2_000);
        const after = await inspector.memoryAfterGc();
        kbPerIdleSubscription = (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / n;
      }
      // one operation's worth of changes first: the fan-out code is compiled for N, as in steady state
      await measure(open, n, STEPS);
      results.push({ subscribers: n, ...(await measure(open, n, CHANGES, PROFILE_DIR ? `api-${n}` : undefined)), kbPerIdleSubscription });
      await open.close();
      open = undefined;
      await waitFor(async () => (await subscriptions()) === 0, 'no subscriptions', 60_000);
      await sleep(1_000);
    }

    const baseline = results[0]!;
    const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
    console.log(`changes: ${CHANGES}, one every ${INTERVAL_MS} ms (operations of ${STEPS} steps), written by a separate process; ≤ ${PER_CLIENT} subscribers per client process; `
      + `${USERS === 1 ? 'every subscriber the admin' : `subscribers spread over ${USERS} users${DISTINCT_RIGHTS ? ', each with rights of its own' : ''}`}`);
    console.log('| subscribers | p50 | p99 | max | delivered | p99 × 1 subscriber | API CPU per change | busiest client loop | API memory per idle subscription |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      console.log(`| ${r.subscribers.toLocaleString('en')} | ${ms(r.p50)} ms | ${ms(r.p99)} ms | ${ms(r.max)} ms | ${r.delivered.toLocaleString('en')}/${r.expected.toLocaleString('en')}${r.repeated ? ` (+${r.repeated} repeated)` : ''} `
        + `| ${(r.p99 / baseline.p99).toFixed(1)}× | ${r.apiCpuMsPerChange.toFixed(1)} ms | ${(r.clientElu * 100).toFixed(0)}% `
        + `| ${r.kbPerIdleSubscription === undefined ? '—' : `${r.kbPerIdleSubscription.toFixed(1)} KB`} |`);
    }
  } finally {
    await open?.close().catch(() => {});
    inspector?.close();
    await Promise.all(processes.map((p) => p.stop()));
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
