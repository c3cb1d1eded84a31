// The one `graphql` tag every document uses: gql.tada types each document from the introspection
// that `pnpm generate` writes from server/schema.graphql, so no result type is written by hand and a
// document that drifts from the schema fails `pnpm typecheck`.
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './introspection';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  // the server's DateTime is an ISO-8601 string; JSON is whatever a connector's options hold
  scalars: { DateTime: string; JSON: unknown };
  // fragments are spread for reuse, not for data hiding: components read the fields they are given
  disableMasking: true;
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
