// A stand-in for the API in cache tests: answers queries and mutations from a handler and pushes
// subscription events on demand, behind the real Graphcache configuration.
import { Client, makeResult, type Exchange, type Operation } from '@urql/core';
import { filter, fromValue, makeSubject, map, merge, mergeMap, pipe, share } from 'wonka';
import { createCacheExchange } from './createCache';

export function createTestClient(answer: (operation: Operation) => Record<string, unknown>) {
  const events = makeSubject<{ field: string; data: Record<string, unknown> }>();
  const server: Exchange = () => (operations$) => {
    const shared = pipe(operations$, share);
    const answered = pipe(
      shared,
      filter((op) => op.kind === 'query' || op.kind === 'mutation'),
      mergeMap((op) => fromValue(makeResult(op, { data: answer(op) }))),
    );
    const pushed = pipe(
      shared,
      filter((op) => op.kind === 'subscription'),
      mergeMap((op) => pipe(
        events.source,
        filter((event) => op.query.loc?.source.body.includes(event.field) ?? false),
        map((event) => makeResult(op, { data: event.data })),
      )),
    );
    return merge([answered, pushed]);
  };
  const client = new Client({ url: 'http://test/graphql', exchanges: [createCacheExchange(), server] });
  return { client, push: (field: string, data: Record<string, unknown>) => events.next({ field, data }) };
}
