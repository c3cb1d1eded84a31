// The urql client: Graphcache (normalized, schema-aware) in front of HTTP for queries and mutations
// and graphql-ws for subscriptions. Both carry the httpOnly session cookie: fetch sends it with
// credentials, the websocket upgrade sends it by itself as a same-origin request.
import { Client, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue';
import { createClient as createWsClient } from 'graphql-ws';
import { createCacheExchange } from './cache/createCache';

export function createGraphqlClient(onUnauthenticated: () => void): Client {
  // lazy (the default): the socket opens with the first subscription, so it carries whatever
  // session cookie exists at that moment rather than the one from page load
  const ws = createWsClient({ url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql` });
  return new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'include' },
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      createCacheExchange(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
}
