// GraphQL over websockets (graphql-ws on ws) at /graphql. Every operation runs through yoga's envelop,
// so the request limits and masked errors of HTTP apply here too, with a context built the same way
// (request-context.ts) from the upgrade request and the connectionParams' authorization.
// On shutdown every socket is closed with 1012 (Service Restart): graphql-ws clients treat it as
// retryable and reconnect (through the load balancer, to another API process), where its own 4500
// (Internal Server Error) would make them give up.
// A client that stops reading is closed with 1013 (Try Again Later) once the rows waiting for it pass
// LIVE_QUEUE_LIMIT_BYTES (live/stream.ts): graphql-ws clients retry 1013 like 1012, everything in
// 1000-1999 but 1000/1001/1005/1006/1012/1013/1014 is fatal to them.
import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { Gauge } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_BODY_BYTES, originAllowed } from './browser-guard.ts';
import type { Services } from '../services.ts';
import { requestContext } from '../graphql/request-context.ts';
import type { GraphqlYoga } from '../graphql/yoga.ts';
import { LIVE_QUEUE_LIMIT_BYTES, LiveBudget } from '../live/stream.ts';
import type { Metrics } from '../metrics.ts';

/** RFC 6455 "Service Restart": the server is going away and the client should reconnect */
export const CLOSE_SERVICE_RESTART = 1012;
/** RFC 6455 "Try Again Later": this client fell too far behind; it reconnects and re-reads */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export function attachGraphqlWebsocket(server: Server, yoga: GraphqlYoga, services: Services, metrics: Metrics): { close(): Promise<void> } {
  const { registry } = metrics;
  // 1 MiB: a query within the 5,000-token limit plus its variables fits many times over; ws would
  // otherwise buffer and parse messages of up to 100 MiB
  const wss = new WebSocketServer({
    server, path: '/graphql', maxPayload: MAX_BODY_BYTES,
    // a page on another origin must not ride on the viewer's session cookie
    verifyClient: ({ req }, done) => (originAllowed(req, services.config.allowedOrigins) ? done(true) : done(false, 403, 'Origin not allowed')),
  });
  // open subscriptions of this process (one listener each), for dashboards and for tests that
  // must know a subscription is in place before causing its first event
  new Gauge({
    name: 'tributary_live_subscriptions', help: 'open GraphQL subscriptions in this process', registers: [registry],
    collect() { this.set(services.live.listenerCount); },
  });
  // each connection's bound on the rows its subscriptions hold while the socket does not take them
  const budgets = new Map<WebSocket, LiveBudget>();
  new Gauge({
    name: 'tributary_live_queued_bytes', help: 'bytes (as JSON) of subscription rows waiting for websocket clients that read slower than events come', registers: [registry],
    collect() { let sum = 0; for (const b of budgets.values()) sum += b.queuedBytes; this.set(sum); },
  });
  wss.on('connection', (socket) => {
    metrics.websocketConnections.inc();
    budgets.set(socket, new LiveBudget(LIVE_QUEUE_LIMIT_BYTES, () => {
      metrics.slowClientCloses.inc();
      services.log.warn({ limitBytes: LIVE_QUEUE_LIMIT_BYTES }, 'websocket client too far behind: closed with 1013');
      // the close frame waits behind what the socket already holds; ws destroys the socket if the
      // client has not answered it within 30 s
      socket.close(CLOSE_TRY_AGAIN_LATER, 'Try Again Later: too far behind');
    }));
    socket.once('close', () => {
      metrics.websocketConnections.dec();
      budgets.delete(socket);
    });
  });
  const graphqlWs = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      connectionInitWaitTimeout: 10_000,
      // the envelop's execute and subscribe (with the plugins' hooks) travel in rootValue: prepareOperation
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: (ctx, _id, payload) => {
        const params = ctx.connectionParams;
        return prepareOperation(yoga, services, ctx.extra.request, params?.authorization ?? params?.Authorization, payload, budgets.get(ctx.extra.socket));
      },
    },
    wss,
    // 15 s keep-alive pings: below the 30-60 s idle timeouts of common proxies
    15_000,
  );
  return {
    /** refuses new upgrades, closes every socket with 1012, and waits (up to 2 s) for them to go */
    async close() {
      const sockets = [...wss.clients];
      const closed = Promise.all(sockets.map((s) => new Promise<void>((r) => (s.readyState === s.CLOSED ? r() : s.once('close', () => r())))));
      for (const s of sockets) s.close(CLOSE_SERVICE_RESTART, 'Service Restart: reconnect');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000).unref())]);
      for (const s of wss.clients) s.terminate();
      await Promise.resolve(graphqlWs.dispose()).catch(() => {});
    },
  };
}

/** Parses and validates one subscribe message through yoga's envelop: the errors to answer, or what to run. */
async function prepareOperation(
  yoga: GraphqlYoga, services: Services, request: IncomingMessage, authorization: unknown, payload: SubscribePayload, liveBudget: LiveBudget | undefined,
): Promise<readonly GraphQLError[] | ExecutionArgs> {
  const contextValue = { ...(await requestContext(services, request, authorization)), liveBudget };
  const { schema, execute, subscribe, parse, validate } = yoga.getEnveloped({ ...contextValue, req: request, socket: request.socket, params: payload });
  let document;
  let errors: readonly GraphQLError[];
  try {
    document = parse(payload.query);
    errors = validate(schema, document);
  } catch (e) {
    // graphql-armor rejects by throwing (as a "Syntax Error", the answer HTTP gives too)
    if ((e as Error | undefined)?.name !== 'GraphQLError') throw e;
    errors = [e as GraphQLError];
  }
  // graphql-ws only sends errors of its own copy of graphql (an instanceof check), and
  // graphql-armor, loaded as CommonJS, throws the other copy's: re-create them
  if (errors.length) return errors.map((e) => createGraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: e.extensions }));
  return {
    schema,
    operationName: payload.operationName,
    document,
    variableValues: payload.variables,
    contextValue,
    rootValue: { execute, subscribe },
  };
}
