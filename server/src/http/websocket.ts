// GraphQL over websockets (graphql-ws on ws) at /graphql. Every operation runs through yoga's envelop,
// so the request limits and masked errors of HTTP apply here too, with a context built the same way
// (request-context.ts) from the upgrade request and the connectionParams' authorization.
// On shutdown every socket is closed with 1012 (Service Restart): graphql-ws clients treat it as
// retryable and reconnect (through the load balancer, to another API process), where its own 4500
// (Internal Server Error) would make them give up.
import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { Gauge } from 'prom-client';
import { WebSocketServer } from 'ws';
import { MAX_BODY_BYTES, originAllowed } from './browser-guard.ts';
import type { Services } from '../services.ts';
import { requestContext } from '../graphql/request-context.ts';
import type { GraphqlYoga } from '../graphql/yoga.ts';
import type { Metrics } from '../metrics.ts';

/** RFC 6455 "Service Restart": the server is going away and the client should reconnect */
export const CLOSE_SERVICE_RESTART = 1012;

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
  wss.on('connection', (socket) => {
    metrics.websocketConnections.inc();
    socket.once('close', () => metrics.websocketConnections.dec());
  });
  const graphqlWs = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      connectionInitWaitTimeout: 10_000,
      // the envelop's execute and subscribe (with the plugins' hooks) travel in rootValue: prepareOperation
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: (ctx, _id, payload) => {
        const params = ctx.connectionParams;
        return prepareOperation(yoga, services, ctx.extra.request, params?.authorization ?? params?.Authorization, payload);
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
  yoga: GraphqlYoga, services: Services, request: IncomingMessage, authorization: unknown, payload: SubscribePayload,
): Promise<readonly GraphQLError[] | ExecutionArgs> {
  const contextValue = await requestContext(services, request, authorization);
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
