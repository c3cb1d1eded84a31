// What the fault suites share: a vendor latency proxy (a loopback fake answers in microseconds, a real
// tool in tens of milliseconds, and the kills must land inside the fetch), the numeric id of a global
// id, and the settings a suite reads from the environment (short in `pnpm test`, long by hand).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `RELIABILITY_<NAME>` as a positive integer, or `fallback` (the CI setting) */
export function setting(name: string, fallback: number): number {
  const raw = process.env[`RELIABILITY_${name}`];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RELIABILITY_${name} must be a positive integer (got "${raw}")`);
  return n;
}

/** "Operation:12" base64 → 12 */
export function rowId(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]);
}

export interface LatencyProxy {
  url: string;
  close(): Promise<void>;
}

/** Forwards every request to `target` after `delayMs`: a vendor at a realistic distance. */
export async function startLatencyProxy(target: string, delayMs: number): Promise<LatencyProxy> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    setTimeout(() => {
      const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
      req.pipe(upstream);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
