// The soak's memory watch: RSS of each process read from /proc every 10 s (exact and free, whatever
// the process is doing); from a server's own /metrics (the scrape a Prometheus would make) its event
// loop's worst delay since the last scrape and the bytes of rows waiting for slow websocket clients;
// once a minute, at rest (soak.bench.ts picks the moment), its RSS and its heap after a full GC
// (inspector.ts); and the trends that say whether memory is flat. The bench process watches itself
// too: it is the load generator, and a saturated one would be measured as a slow server.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Inspector } from './inspector.ts';

/** a server process with its inspector, or (neither) the bench process itself */
export interface Watched { name: string; pid: number; url?: string; inspector?: Inspector }
export interface Sample { atMin: number; rssMb: number; loopLagMs: number; queuedMb: number }
/** a server at rest, after a full GC: its heap and RSS */
export interface AtRest { atMin: number; rssMb: number; heapMb: number }

/** resident set size of a live process (Linux), MB */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Samples every process every `everyMs` from now on, minutes counted from `t0`. */
export function startMemorySampler(processes: Watched[], t0: number, everyMs: number) {
  const samples = new Map<string, Sample[]>(processes.map((p) => [p.name, []]));
  const atRest = new Map<string, AtRest[]>(processes.filter((p) => p.inspector).map((p) => [p.name, []]));
  const atMin = () => (Date.now() - t0) / 60_000;
  const ownLoop = monitorEventLoopDelay();
  ownLoop.enable();
  const read = async ({ url }: Watched) => {
    if (!url) {
      const lag = ownLoop.max / 1e9;
      ownLoop.reset();
      return { lag, queued: 0 };
    }
    // one scrape: prom-client resets its event-loop histogram on each
    const text = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { lag: value('nodejs_eventloop_lag_max_seconds'), queued: value('tributary_live_queued_bytes') };
  };
  const take = async () => {
    await Promise.all(processes.map(async (p) => {
      const at = atMin();
      const m = await read(p);
      samples.get(p.name)!.push({ atMin: at, rssMb: rssMb(p.pid), loopLagMs: m.lag * 1000, queuedMb: m.queued / 2 ** 20 });
    }));
  };
  void take();
  const timer = setInterval(() => void take(), everyMs);
  return {
    /** the latest RSS of one process, MB */
    last: (name: string) => samples.get(name)?.at(-1)?.rssMb ?? NaN,
    /**
     * Each server's heap and RSS after a full GC, now: what it cannot give back. Measured before the
     * GC, RSS held whatever the last burst had left (the API's ranged 387-612 MB at rest over one
     * run, while one full GC at the end brought it to 247 MB).
     */
    async measureAtRest() {
      await Promise.all(processes.filter((p) => p.inspector).map(async (p) => {
        const at = atMin();
        const heapMb = await p.inspector!.heapAfterGc();
        atRest.get(p.name)!.push({ atMin: at, heapMb, rssMb: rssMb(p.pid) });
      }));
    },
    stop() { clearInterval(timer); ownLoop.disable(); return { samples, atRest }; },
  };
}

export interface Trend { firstMinute: number; lastMinute: number; max: number }

/** RSS in minute 1 and in the last minute (means of their 10-s samples) and the peak */
export function rssTrend(samples: Sample[], minutes: number): Trend {
  const ofMinute = (m: number) => samples.filter((s) => Math.floor(s.atMin) === m).map((s) => s.rssMb);
  return { firstMinute: mean(ofMinute(0)), lastMinute: mean(ofMinute(minutes - 1)), max: Math.max(...samples.map((s) => s.rssMb)) };
}

/**
 * The least-squares slopes, MB/min, of the heap and RSS after a full GC at rest over the second half
 * of the run, when warm-up (V8 sizing its heap, pools filling) is over. At rest and after a GC, not
 * every 10 s: the load comes in once-a-minute bursts (every schedule fires at :00) and RSS rises and
 * falls by 100 MB and more within each minute (measured: the API's 10-s samples ranged 238-575 MB in
 * one run), so a slope through all samples measures where the bursts happened to fall, not a trend.
 */
export function restSlopes(points: AtRest[], minutes: number): { rss: number; heap: number } {
  const half = points.filter((p) => p.atMin >= minutes / 2 - 0.05);
  return { rss: leastSquaresSlope(half.map((p) => [p.atMin, p.rssMb])), heap: leastSquaresSlope(half.map((p) => [p.atMin, p.heapMb])) };
}

function leastSquaresSlope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0, den = 0;
  for (const [x, y] of points) { num += (x - mx) * (y - my); den += (x - mx) ** 2; }
  return num / den;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, v) => a + v, 0) / values.length : NaN;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
