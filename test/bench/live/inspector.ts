// The bench's view inside the API process, through its inspector (--inspect): memory after a full
// GC (raw RSS deltas of the same code read 13 to 62 KB per subscription from run to run), and a CPU
// profile of just the measured changes (`--profile=<dir>`), summed by where the time was spent.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export class Inspector {
  private next = 1;
  private readonly replies = new Map<number, (result: any) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (m) => { const msg = JSON.parse(String(m)); this.replies.get(msg.id)?.(msg.result); this.replies.delete(msg.id); });
  }

  static async connect(port: number): Promise<Inspector> {
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    const ws = new WebSocket(target!.webSocketDebuggerUrl, { maxPayload: 1 << 30 });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new Inspector(ws);
  }

  call(method: string, params: object = {}): Promise<any> {
    const id = this.next++;
    return new Promise((resolve) => { this.replies.set(id, resolve); this.ws.send(JSON.stringify({ id, method, params })); });
  }

  /** HeapProfiler.collectGarbage, then process.memoryUsage() evaluated inside the process */
  async memoryAfterGc(): Promise<{ heapUsed: number; external: number; rss: number }> {
    await this.call('HeapProfiler.collectGarbage');
    await new Promise((r) => setTimeout(r, 500));
    const r = await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(r.result.value);
  }

  async startProfile() {
    await this.call('Profiler.enable');
    await this.call('Profiler.start');
  }

  async stopProfile(): Promise<CpuProfile> {
    return (await this.call('Profiler.stop')).profile;
  }

  close() {
    this.ws.close();
  }
}

/** the package or source directory a script belongs to: `graphql@16.15.0`, `server/src/live/topics.ts`, `node:internal` */
function placeOf(url: string): string {
  if (!url) return '(native / runtime)';
  const pkg = /node_modules\/\.pnpm\/([^/]+)\//.exec(url);
  if (pkg) return pkg[1]!.replace(/_.*$/, '').replace(/^@?([^+]+)\+/, '@$1/');
  const src = /\/(server\/src\/.+|test\/.+)$/.exec(url);
  if (src) return src[1]!;
  return url.startsWith('node:') ? 'node:internal' : url;
}

/** self time of the profile's busy samples, by place and by function, in ms, largest first */
export function summarize(profile: CpuProfile, top = 12): { busyMs: number; byPlace: Array<[string, number]>; byFunction: Array<[string, number]> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const { callFrame } = nodes.get(id)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (callFrame.functionName === '(idle)') return;
    busy += ms;
    const place = callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : placeOf(callFrame.url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const fn = `${callFrame.functionName || '(anonymous)'} ${place}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { busyMs: busy, byPlace: sorted(byPlace), byFunction: sorted(byFunction) };
}

/** user + system CPU time of a process so far, in ms (Linux: /proc/<pid>/stat, clock ticks of 10 ms) */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // after the command: state is field 3, utime 14 and stime 15 (proc(5)); index = field - 3
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
