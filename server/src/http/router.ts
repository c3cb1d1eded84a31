// Which handler answers an HTTP request: /healthz, /metrics (behind TRIBUTARY_METRICS_TOKEN when set),
// /graphql (after the browser guard) on API processes, and the dashboard with its security headers.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken } from '../auth/request-token.ts';
import type { Logger } from '../logger.ts';
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
  /** the GraphQL endpoint; null on a worker process, which serves only /healthz and /metrics */
  graphql: RequestHandler | null;
}

export function createRouter({ log, metrics, metricsToken, allowedOrigins, isReady, graphql }: RouterOptions): RequestHandler {
  const metricsAuthorized = metricsGate(metricsToken);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === '/healthz') {
        const ok = isReady();
        return json(res, ok ? 200 : 503, { ok });
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
