// The soak's verdict: one summary table (markdown, for the README), memory per process, the run
// minute by minute, and the list of problems found — any of which makes the bench exit 1.
import { median, restSlopes, rssTrend, type AtRest, type Sample } from './memory.ts';
import { quantile, type ReadStats } from './reads.ts';
import type { ScheduleReport } from './schedules.ts';
import type { Subscribers } from './subscribers.ts';

/**
 * Flat: over the second half of the run, at rest and after a full GC, the heap grows by less than
 * 1 MB/min and RSS by less than 3 MB/min. README plans 512 MB per process; under this load the API
 * runs at 300-500 MB and settles at ~240 MB after a GC. 1 MB/min (1.4 GB a day) is a leak a 10-minute
 * run must catch; measured at rest, when nothing leaks, the heap moves by ~1 MB from one minute to
 * the next and RSS by up to 3 MB (what V8 and malloc keep after the bursts), hence its wider bound.
 */
const FLAT_HEAP_MB_PER_MIN = 1;
const FLAT_RSS_MB_PER_MIN = 3;

export interface SoakResult {
  minutes: number;
  connectors: number;
  subscribers: Subscribers;
  reads: ReadStats;
  samples: Map<string, Sample[]>;
  /** heap and RSS after a full GC at rest, at the start and at the end of every minute */
  atRest: Map<string, AtRest[]>;
  schedules: ScheduleReport;
  operations: Array<{ type: string; status: string; n: number; new: number; closed: number; reactivated: number }>;
  failures: Array<{ error: string; n: number }>;
  drainMs: number;
  /** operations that finished while every subscriber listened, and finishes that did not reach a subscriber */
  finishedWatched: number;
  finishesLost: number;
  logs: Record<string, string>;
  exited: string[];
}

const ms = (v: number) => `${Math.round(v)} ms`;
const mb = (v: number) => `${v.toFixed(0)} MB`;
const n = (v: number) => v.toLocaleString('en');

/** prints everything; returns the exit code (1 when a problem was found) */
export function printSummary(r: SoakResult): number {
  const problems: string[] = [];
  const s = r.subscribers;
  const all = r.reads.perMinute.flat();
  const e = r.reads.errors;
  const count = (status: string) => r.operations.filter((o) => o.status === status).reduce((a, o) => a + o.n, 0);
  const syncs = r.operations.find((o) => o.type === 'SYNC' && o.status === 'SUCCEEDED');
  const [failed, left] = [count('FAILED'), count('PENDING') + count('RUNNING')];
  const logErrors = Object.fromEntries(Object.entries(r.logs).map(([name, text]) => {
    const lines = text.split('\n').filter((line) => /"level":\d+/.test(line));
    return [name, { errors: lines.filter((l) => /"level":[5-6]\d/.test(l)), warnings: lines.filter((l) => l.includes('"level":40')).length }];
  }));
  const sc = r.schedules;

  const rows: Array<[string, string]> = [
    ['run', `${r.minutes} min of load after setup; 1 API + 1 worker process (concurrency 4), embedded PostgreSQL, loopback`],
    ['connectors', `${r.connectors} (SonarQube and DefectDojo fakes in turn, 3-4 projects each, autoMap), discover + sync every minute`],
    ['subscribers', `${n(s.counts.operations + s.counts.records + s.counts.alerts)}: ${s.counts.operations} operationChanged (${s.allOperations} all, ${s.counts.operations - s.allOperations} one connector), ${s.counts.records} recordChanged, ${s.counts.alerts} alertAdded`],
    ['events delivered', `${n(s.events.operations)} operation, ${n(s.events.records)} record, ${n(s.events.alerts)} alert`],
    ['operation finishes lost', `${r.finishesLost} (of ${n(r.finishedWatched)} operations, each to every subscriber watching it)`],
    ['websocket closes / subscription errors', `${s.closes.length} / ${s.errors.length}`],
    ['read requests', `${n(r.reads.requests)} (${(r.reads.requests / r.minutes / 60).toFixed(1)}/s)`],
    ['read latency p50 / p99 / max', `${ms(quantile(all, 0.5))} / ${ms(quantile(all, 0.99))} / ${ms(Math.max(...all))}`],
    ...Object.entries(r.reads.byRead).map(([name, l]): [string, string] => [`— ${name} p50 / p99`, `${ms(quantile(l, 0.5))} / ${ms(quantile(l, 0.99))}`]),
    ['read errors: GraphQL / HTTP / network or timeout', `${e.graphql} / ${e.http} / ${e.network}`],
    ['scheduled slots: expected / fired / missed / duplicated', `${n(sc.expected)} / ${n(sc.fired)} / ${sc.missed}${sc.coalesced ? ` (${sc.coalesced} while a run waited)` : ''} / ${sc.duplicates}`],
    ['schedule tick lag p50 / max', `${ms(sc.lagP50)} / ${ms(sc.lagMax)}`],
    ['operations', r.operations.filter((o) => o.status !== 'FAILED').map((o) => `${o.type} ${o.status} ${n(o.n)}`).join(', ')],
    ['syncs did', syncs ? `${n(syncs.new)} findings new, ${n(syncs.closed)} closed, ${n(syncs.reactivated)} reactivated` : 'nothing'],
    ['operations FAILED / left PENDING or RUNNING', `${failed} / ${left} (drained in ${(r.drainMs / 1000).toFixed(1)} s)`],
    ['error log lines (warnings)', Object.entries(logErrors).map(([name, l]) => `${name} ${l.errors.length} (${l.warnings})`).join(', ')],
  ];
  console.log('\n| | |\n| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  problems.push(...printMemory(r));
  printMinutes(r);

  const errors = e.graphql + e.http + e.network;
  if (errors) problems.push(`${errors} read errors: ${r.reads.samples.join(' | ')}`);
  if (s.closes.length || s.errors.length) problems.push(`${s.closes.length} websocket closes, ${s.errors.length} subscription errors: ${[...s.closes, ...s.errors].slice(0, 3).join(' | ')}`);
  if (r.finishesLost) problems.push(`${r.finishesLost} operation finishes did not reach a subscriber`);
  if (sc.missed || sc.duplicates) problems.push(`${sc.missed} schedule slots missed, ${sc.duplicates} duplicated: ${sc.missedSamples.join('; ')}`);
  if (failed) problems.push(`${failed} operations FAILED: ${r.failures.map((f) => `${f.n}× ${f.error}`).join(' | ')}`);
  if (left) problems.push(`${left} operations left PENDING or RUNNING`);
  for (const [name, l] of Object.entries(logErrors)) if (l.errors.length) problems.push(`${name} logged ${l.errors.length} errors, the first: ${l.errors[0]!.slice(0, 2_000)}`);
  if (r.exited.length) problems.push(`processes exited during the run: ${r.exited.join(', ')}`);
  console.log(problems.length ? `\nPROBLEMS:\n- ${problems.join('\n- ')}` : '\nno problems: memory flat, no error, no missed schedule, every finish delivered');
  return problems.length ? 1 : 0;
}

/** per process: RSS over the run, and at rest after a full GC with the slopes that judge it; returns what is not flat */
function printMemory(r: SoakResult): string[] {
  const problems: string[] = [];
  const slope = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} MB/min`);
  console.log('\n| process | RSS minute 1 | RSS last minute | RSS max | at rest after GC: heap start → end | slope, 2nd half | RSS start → end | slope, 2nd half |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, samples] of r.samples) {
    const rss = rssTrend(samples, r.minutes);
    const rest = r.atRest.get(name) ?? [];
    const slopes = restSlopes(rest, r.minutes);
    const ends = (pick: (p: AtRest) => number) => (rest.length ? `${mb(pick(rest[0]!))} → ${mb(pick(rest.at(-1)!))}` : '—');
    console.log(`| ${name} | ${mb(rss.firstMinute)} | ${mb(rss.lastMinute)} | ${mb(rss.max)} | ${ends((p) => p.heapMb)} | ${rest.length ? slope(slopes.heap) : '—'} | ${ends((p) => p.rssMb)} | ${rest.length ? slope(slopes.rss) : '—'} |`);
    if (slopes.heap >= FLAT_HEAP_MB_PER_MIN) problems.push(`${name} heap growing at rest: ${slopes.heap.toFixed(1)} MB/min over the second half (flat: < ${FLAT_HEAP_MB_PER_MIN})`);
    if (slopes.rss >= FLAT_RSS_MB_PER_MIN) problems.push(`${name} RSS growing at rest: ${slopes.rss.toFixed(1)} MB/min over the second half (flat: < ${FLAT_RSS_MB_PER_MIN})`);
  }
  return problems;
}

/** each minute: reads, RSS (median of the 10-s samples), heap and RSS at rest at its end, the worst event-loop delay, rows waiting for slow subscribers */
function printMinutes(r: SoakResult) {
  const ofMinute = (name: string, m: number, pick: (x: Sample) => number) => (r.samples.get(name) ?? []).filter((x) => Math.floor(x.atMin) === m).map(pick);
  const worst = (name: string, m: number, pick: (x: Sample) => number) => Math.max(...ofMinute(name, m, pick));
  const atEnd = (name: string, m: number) => {
    const p = r.atRest.get(name)?.find((x) => Math.floor(x.atMin) === m + 1);
    return p ? `${mb(p.heapMb)} / ${mb(p.rssMb)}` : '—';
  };
  console.log('\n| minute | reads | p50 | p99 | max | RSS median API / worker | at rest after GC, heap / RSS: API | worker | event-loop delay max API / worker / bench | queued for subscribers max |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let m = 0; m < r.minutes; m++) {
    const l = r.reads.perMinute[m] ?? [];
    console.log(`| ${m + 1} | ${l.length} | ${ms(quantile(l, 0.5))} | ${ms(quantile(l, 0.99))} | ${ms(Math.max(...l))} | ${mb(median(ofMinute('api', m, (x) => x.rssMb)))} / ${mb(median(ofMinute('worker', m, (x) => x.rssMb)))} | ${atEnd('api', m)} | ${atEnd('worker', m)} | ${['api', 'worker', 'bench'].map((p) => ms(worst(p, m, (x) => x.loopLagMs))).join(' / ')} | ${worst('api', m, (x) => x.queuedMb).toFixed(1)} MB |`);
  }
}
