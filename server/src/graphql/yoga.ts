// The GraphQL server (graphql-yoga) over the Pothos schema: masked errors, request limits, CORS for
// the origins the operator allowed, and the Set-Cookie headers resolvers ask for (login / logout).
// HTTP requests reach it through serveGraphqlHttp; websockets through its envelop (websocket.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.ts';
import type { Services } from '../services.ts';
import type { Context } from './context.ts';
import { asInputError } from './errors.ts';
import { requestLimits } from './limits.ts';
import { sharedLiveExecution } from './live-execution.ts';
import { requestContext } from './request-context.ts';
import { schema } from './schema.ts';

export type GraphqlYoga = ReturnType<typeof createGraphqlYoga>;

const responseCookies: Plugin<Context> = {
  onResponse({ response, serverContext }) {
    const ctx = serverContext as unknown as { responseCookies?: string[] };
    for (const c of ctx.responseCookies ?? []) response.headers.append('set-cookie', c);
  },
};

/** how long each query and mutation takes, by operation name (bounded: metrics.operationLabel) */
function operationTimings(metrics: Metrics): Plugin<Context> {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const end = metrics.graphqlSeconds.startTimer({ operation: metrics.operationLabel(operation?.name?.value ?? args.operationName), type: operation?.operation ?? 'unknown' });
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && !!result.errors?.length;
          end({ outcome: failed ? 'error' : 'ok' });
        },
      };
    },
  };
}

export function createGraphqlYoga({ log, config }: Services, metrics?: Metrics) {
  return createYoga<Context & { req: IncomingMessage; res: ServerResponse }>({
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
        // whatever is masked is logged: a resolver's error, or one thrown by a plugin (no originalError)
        const original = (error as { originalError?: unknown }).originalError ?? error;
        const masked = maskError(error, message);
        if (masked !== error) log.error({ err: original }, 'unexpected error in a request');
        return masked;
      },
    },
    plugins: [responseCookies, ...requestLimits(() => schema), ...(metrics ? [operationTimings(metrics)] : []), sharedLiveExecution()],
    // same-origin pages need no CORS headers; other origins only when the operator listed them
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && config.allowedOrigins.includes(origin)
        ? { origin, credentials: true, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 }
        : false;
    },
  });
}

/** One HTTP request to /graphql. The context is built before yoga sees the request, so validation
 * already knows the viewer (anonymous callers get no introspection). */
export async function serveGraphqlHttp(yoga: GraphqlYoga, services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const context = await requestContext(services, req, req.headers.authorization);
  await yoga.handle(req, res, { ...context, req, res });
}
