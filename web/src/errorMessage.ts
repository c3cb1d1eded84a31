// What a failed operation says to a person: the server's own message, and for a bad input the
// field it names (extensions.fields, e.g. "input.name"), so a form can put it beside that field.
import type { CombinedError } from '@urql/vue';

export interface OperationError {
  message: string;
  /** GraphQL error code: BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED … */
  code: string | null;
  /** input fields named by BAD_USER_INPUT, without the "input." prefix ("name", "options.path") */
  fields: string[];
}

/** The server's own message ("Invalid email or password"), without urql's "[GraphQL]" prefix. */
export function errorMessage(error: CombinedError): string {
  return error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message;
}

export function describeError(error: CombinedError): OperationError {
  const first = error.graphQLErrors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : null;
  const rawFields = first?.extensions?.fields;
  const fields = Array.isArray(rawFields)
    ? rawFields.filter((f): f is string => typeof f === 'string').map((f) => f.replace(/^input\./, ''))
    : [];
  return { message: errorMessage(error), code, fields };
}
