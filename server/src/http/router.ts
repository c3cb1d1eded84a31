// Which handler answers an HTTP request: /healthz (liveness), /readyz (readiness), /metrics (behind
// TRIBUTARY_METRICS_TOKEN when set), /graphql (after the browser guard) on API processes, and the
// dashboard with its security headers. Every request gets an id (the caller's X-Request-Id when it is
// a sane one, e.g. from nginx, else a new one), echoed in the response and on every log line it causes.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken } from '../auth/request-token.ts';
import { withLogContext, type Logger } from '../logger.ts';
import { refuseGraphqlRequest } from './browser-guard.ts';
import type { Metrics } from '../metrics.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { serveStatic } from './static.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RouterOptions {
  log: Logger;
  metrics: Metrics;
  metricsToken: string | undefined;
  allowedOrigins: readonly string[];
  /** false while starting and stopping: /healthz answers 503 and the API refuses work */
  isReady: () => boolean;
  /** /readyz: whether this process can serve its roles now, and what is missing when not */
  readiness: () => Promise<Readiness>;
  /** the GraphQL endpoint; null on a worker process, which serves only /healthz and /metrics */
  graphql: RequestHandler | null;
}

export interface Readiness {
  ok: boolean;
  /** each check by name: 'ok' or why it fails */
  checks: Record<string, string>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createRouter(opts: RouterOptions): RequestHandler {
  const { log, metrics } = opts;
  const route = routeOf(opts.graphql !== null);
  const handle = handler(opts);
  return (req, res) => {
    const presented = req.headers['x-request-id'];
    const reqId = typeof presented === 'string' && REQUEST_ID.test(presented) ? presented : randomUUID();
    res.setHeader('x-request-id', reqId);
    const path = (req.url ?? '/').split('?')[0]!;
    const end = metrics.httpSeconds.startTimer({ route: route(path), method: req.method ?? 'GET' });
    const started = performance.now();
    res.once('finish', () => {
      end({ status: String(res.statusCode) });
      // probes and scrapes every few seconds would drown the log: those only at debug
      const quiet = path === '/healthz' || path === '/readyz' || path === '/metrics' || res.statusCode < 400 && route(path) === 'static';
      const level = res.statusCode >= 500 ? 'warn' : quiet ? 'debug' : 'info';
      const ms = Math.round(performance.now() - started);
      log[level]({ reqId, method: req.method, path, status: res.statusCode, ms }, `${req.method} ${path} ${res.statusCode} ${ms} ms`);
    });
    return withLogContext({ reqId }, () => handle(req, res));
  };
}

/** the route label of the HTTP metrics: a fixed set, whatever paths clients send */
function routeOf(api: boolean): (path: string) => string {
  const fixed = new Set(['/healthz', '/readyz', '/metrics', ...(api ? ['/graphql'] : [])]);
  return (path) => (fixed.has(path) ? path : api ? 'static' : 'other');
}

function handler({ log, metrics, metricsToken, allowedOrigins, isReady, readiness, graphql }: RouterOptions): RequestHandler {
  const metricsAuthorized = metricsGate(metricsToken);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === '/healthz') {
        const ok = isReady();
        return json(res, ok ? 200 : 503, { ok });
      }
      if (path === '/readyz') {
        const state = await readiness();
        return json(res, state.ok ? 200 : 503, state);
      }
      if (path === '/metrics') {
        if (!metricsAuthorized(req.headers.authorization)) { res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(); return; }
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
        return;
      }
      if (!graphql) { res.writeHead(404, { 'content-type': 'text/plain' }).end('worker process: only /healthz and /metrics\n'); return; }
      if (!isReady()) return json(res, 503, { errors: [{ message: 'starting' }] });
      if (path === '/graphql') {
        const refused = refuseGraphqlRequest(req, allowedOrigins);
        if (refused) return json(res, refused.status, { errors: [{ message: refused.message }] });
        return await graphql(req, res);
      }
      await setSecurityHeaders(req, res);
      await serveStatic(req, res);
    } catch (e) {
      log.error({ err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    }
  };
}

/** /metrics is open unless a token is set; the presented one is compared in constant time */
function metricsGate(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const digest = createHash('sha256').update(token).digest();
  return (authorization) => {
    const presented = bearerToken(authorization);
    return !!presented && timingSafeEqual(createHash('sha256').update(presented).digest(), digest);
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
