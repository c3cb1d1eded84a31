import type { CombinedError } from '@urql/vue';

/** The server's own message ("Invalid email or password"), without urql's "[GraphQL]" prefix. */
export function errorMessage(error: CombinedError): string {
  return error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message;
}
