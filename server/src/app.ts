// buildApp(config) → { start, stop }: PostgreSQL, migrations, the GraphQL API (HTTP + graphql-ws),
// the dashboard, and the graphile-worker runner, each according to the role.
import { EventEmitter } from 'node:events';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createGraphQLError, createYoga, maskError, type Plugin } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { Gauge } from 'prom-client';
import { useServer } from 'graphql-ws/use/ws';
import { Logger as WorkerLogger, run, runMigrations, type Runner } from 'graphile-worker';
import { createPrisma, type PrismaClient } from '@tributary/db';
import type { Config } from './config.ts';
import { connectPostgres, createPool, type PostgresHandle } from './db/postgres.ts';
import { applyMigrations } from './db/migrate.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadSecretBox } from './auth/secrets.ts';
import { bootstrapAdmin } from './auth/bootstrap.ts';
import { userIdForToken } from './auth/sessions.ts';
import { SESSION_COOKIE } from './auth/tokens.ts';
import { Viewer } from './auth/viewer.ts';
import { schema } from './graphql/schema.ts';
import type { Context } from './graphql/context.ts';
import type { Services } from './services.ts';
import { requestLimits } from './graphql/limits.ts';
import { asInputError } from './graphql/errors.ts';
import { MAX_BODY_BYTES, originAllowed, refuseGraphqlRequest } from './http/browser-guard.ts';
import { setSecurityHeaders } from './http/security-headers.ts';
import { LiveEvents } from './live/events.ts';
import { serveStatic } from './http/static.ts';
import { createMetrics } from './http/metrics.ts';
import { createTaskList, workerCrontab } from './jobs/tasks.ts';
import { startHeartbeat } from './jobs/heartbeat.ts';

export interface App {
  /** http://host:port once started */
  url: string;
  services: Services;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  /** every SQL statement Prisma sends (tests count them to catch N+1 queries) */
  onQuery?: (sql: string) => void;
  logger?: Logger;
  /** where to print the generated admin password (stdout by default) */
  print?: (line: string) => void;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** The token a request presents: `Authorization: Bearer …` (HTTP or connectionParams) wins over the cookie. */
function presentedToken(authorization: unknown, cookieHeader: string | undefined): string | null {
  if (typeof authorization === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (m) return m[1]!;
  }
  return parseCookies(cookieHeader)[SESSION_COOKIE] || null;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const runsApi = config.role !== 'worker';
  const runsWorker = config.role !== 'api';

  let postgres: PostgresHandle | null = null;
  let pool: pg.Pool | null = null;
  let prisma: PrismaClient | null = null;
  let live: LiveEvents | null = null;
  let runner: Runner | null = null;
  let heartbeat: ReturnType<typeof startHeartbeat> | null = null;
  let server: Server | null = null;
  let ready = false;
  let stopping = false;
  const sockets = new Set<import('node:net').Socket>();
  const metrics = createMetrics();

  const app: App = {
    url: '',
    services: undefined as unknown as Services,
    async start() {
      postgres = await connectPostgres(config);
      pool = createPool(postgres.url);
      const applied = await applyMigrations(pool);
      if (applied.length) log.info({ applied }, 'applied migrations');
      await runMigrations({ pgPool: pool, logger: workerLogger(log) });
      prisma = createPrisma(pool, { log: opts.onQuery });
      const secrets = await loadSecretBox(config);
      live = new LiveEvents(postgres.url, log);
      const services: Services = { config, prisma, pool, secrets, log, live };
      app.services = services;
      if (runsApi) {
        await bootstrapAdmin(prisma, config, opts.print ?? ((line) => console.log(line)));
        await live.start();
      }
      if (runsWorker) {
        const events = new EventEmitter();
        heartbeat = startHeartbeat(events, pool, log);
        runner = await run({
          events: events as any,
          pgPool: pool,
          concurrency: config.workerConcurrency,
          noHandleSignals: true,
          // LISTEN/NOTIFY picks jobs up in ~25 ms; polling is only the fallback
          pollInterval: 2_000,
          taskList: createTaskList(services, metrics),
          crontab: workerCrontab,
          logger: workerLogger(log),
        });
      }
      server = createServer((req, res) => void route(req, res));
      server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      if (runsApi) attachWebsockets(server);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      app.url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      ready = true;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      ready = false;
      // stop taking new work, let running jobs finish (graphile-worker releases what it cannot finish),
      // then close connections, and stop the embedded PostgreSQL last
      await Promise.resolve(wsCleanup?.dispose()).catch(() => {});
      if (server) {
        const closed = new Promise((r) => server!.close(r));
        server.closeIdleConnections();
        setTimeout(() => { for (const s of sockets) s.destroy(); }, 2_000).unref();
        await closed;
      }
      await runner?.stop().catch((e) => log.error({ err: e }, 'worker stop'));
      await heartbeat?.stop();
      await live?.stop();
      await prisma?.$disconnect();
      await pool?.end().catch(() => {});
      await postgres?.stop();
    },
  };

  const cookiePlugin: Plugin<Context> = {
    onResponse({ response, serverContext }) {
      const ctx = serverContext as unknown as { responseCookies?: string[] };
      for (const c of ctx.responseCookies ?? []) response.headers.append('set-cookie', c);
    },
  };


  async function buildContext(token: string | null, secureRequest: boolean, clientAddress: string): Promise<Omit<Context, 'responseCookies'>> {
    const services = app.services;
    const userId = token ? await userIdForToken(services.prisma, token) : null;
    const viewer = userId ? await Viewer.load(services.prisma, userId) : null;
    return { ...services, viewer, authToken: viewer ? token : null, secureRequest, clientAddress, loaders: new Map() };
  }

  // the context is built before yoga sees the request, so validation already knows the viewer
  // (anonymous callers get no introspection)
  const yoga = createYoga<Context & { req: IncomingMessage; res: ServerResponse }>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Tributary GraphQL' },
    logging: false,
    // unexpected errors reach clients as "Unexpected error." and the log in full (never the client:
    // a database error can quote data)
    maskedErrors: {
      maskError: (error, message) => {
        const input = asInputError(error);
        if (input) return input;
        const original = (error as { originalError?: unknown }).originalError;
        if (original && !(original as { extensions?: unknown }).extensions) log.error({ err: original }, 'unexpected error in a resolver');
        return maskError(error, message);
      },
    },
    plugins: [cookiePlugin, ...requestLimits(() => schema)],
    // same-origin pages need no CORS headers; other origins only when the operator listed them
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && config.allowedOrigins.includes(origin)
        ? { origin, credentials: true, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 }
        : false;
    },
  });

  let wsCleanup: { dispose(): Promise<void> | void } | null = null;
  function attachWebsockets(httpServer: Server) {
    // 1 MiB: a query within the 5,000-token limit plus its variables fits many times over; ws would
    // otherwise buffer and parse messages of up to 100 MiB
    const wss = new WebSocketServer({
      server: httpServer, path: '/graphql', maxPayload: MAX_BODY_BYTES,
      // a page on another origin must not ride on the viewer's session cookie
      verifyClient: ({ req }, done) => (originAllowed(req, config.allowedOrigins) ? done(true) : done(false, 403, 'Origin not allowed')),
    });
    // open subscriptions of this process (one listener each), for dashboards and for tests that
    // must know a subscription is in place before causing its first event
    new Gauge({
      name: 'tributary_live_subscriptions', help: 'open GraphQL subscriptions in this process', registers: [metrics.registry],
      collect() { this.set(app.services.live.listenerCount); },
    });
    wsCleanup = useServer<Record<string, unknown>, { request: IncomingMessage }>(
      {
        // 15 s keep-alive pings: below the 30-60 s idle timeouts of common proxies
        connectionInitWaitTimeout: 10_000,
        execute: (args: any) => args.rootValue.execute(args),
        subscribe: (args: any) => args.rootValue.subscribe(args),
        onSubscribe: async (ctx, _id, payload) => {
          const token = presentedToken(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization, ctx.extra.request.headers.cookie);
          const contextValue: Context = { ...(await buildContext(token, false, ctx.extra.request.socket.remoteAddress ?? 'unknown')), responseCookies: [] };
          const { schema: s, execute, subscribe, parse, validate } = yoga.getEnveloped({ ...contextValue, req: ctx.extra.request, socket: ctx.extra.request.socket, params: payload });
          let document;
          let errors: readonly import('graphql').GraphQLError[];
          try {
            document = parse(payload.query);
            errors = validate(s, document);
          } catch (e) {
            // graphql-armor rejects by throwing (as a "Syntax Error", the answer HTTP gives too)
            if ((e as Error | undefined)?.name !== 'GraphQLError') throw e;
            errors = [e as import('graphql').GraphQLError];
          }
          // graphql-ws only sends errors of its own copy of graphql (an instanceof check), and
          // graphql-armor, loaded as CommonJS, throws the other copy's: re-create them
          if (errors.length) return errors.map((e) => createGraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: e.extensions }));
          return {
            schema: s,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue,
            rootValue: { execute, subscribe },
          };
        },
      },
      wss,
      15_000,
    );
  }

  const metricsTokenDigest = config.metricsToken ? createHash('sha256').update(config.metricsToken).digest() : null;
  /** /metrics is open unless TRIBUTARY_METRICS_TOKEN is set (compared in constant time) */
  function metricsAuthorized(authorization: string | undefined): boolean {
    if (!metricsTokenDigest) return true;
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    return !!presented && timingSafeEqual(createHash('sha256').update(presented).digest(), metricsTokenDigest);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === '/healthz') {
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: ready }));
        return;
      }
      if (path === '/metrics') {
        if (!metricsAuthorized(req.headers.authorization)) { res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(); return; }
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
        return;
      }
      if (!runsApi) { res.writeHead(404, { 'content-type': 'text/plain' }).end('worker process: only /healthz and /metrics\n'); return; }
      if (!ready) { res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'starting' }] })); return; }
      if (path === '/graphql') {
        const refused = refuseGraphqlRequest(req, config.allowedOrigins);
        if (refused) { res.writeHead(refused.status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: refused.message }] })); return; }
        const token = presentedToken(req.headers.authorization, req.headers.cookie);
        const secure = req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
        const context = await buildContext(token, secure, req.socket.remoteAddress ?? 'unknown');
        await yoga.handle(req, res, { ...context, req, res, responseCookies: [] });
        return;
      }
      await setSecurityHeaders(req, res);
      await serveStatic(req, res);
    } catch (e) {
      log.error({ err: e }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    }
  }

  return app;
}

function workerLogger(log: Logger) {
  // graphile-worker's own logger interface, routed into pino
  return new WorkerLogger((scope: unknown) => (level: string, message: string, meta?: unknown) => {
    const fn = level === 'error' ? log.error : level === 'warning' ? log.warn : level === 'info' ? log.info : log.debug;
    fn.call(log, { scope, ...(meta as object) }, message);
  });
}
