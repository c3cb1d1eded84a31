// The API's expected errors: each names the field and the problem in its message and carries a code
// in extensions (BAD_USER_INPUT, NOT_FOUND) that clients branch on.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { InputError } from '../util/input-error.ts';

export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { fields: [field] } : {}) } });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} does not exist (or you cannot see it).`, { extensions: { code: 'NOT_FOUND' } });
}

/**
 * The caller's mistakes that arrive as plain errors, as BAD_USER_INPUT naming the field: a rule's
 * InputError (util/input-error.ts), and Pothos' own input checks (a cursor of another list or
 * garbage in after:/before:, first: below 0), which throw PothosValidationError without a code and
 * would otherwise read "Unexpected error". Anything else: null.
 */
export function asInputError(error: unknown): GraphQLError | null {
  const original = (error as { originalError?: unknown }).originalError ?? error;
  if (original instanceof InputError) {
    return new GraphQLError(original.message, { nodes: (error as GraphQLError).nodes, path: (error as GraphQLError).path, extensions: { code: 'BAD_USER_INPUT', fields: [original.field] } });
  }
  if (!(original instanceof PothosValidationError)) return null;
  const cursor = /cursor|Invalid id received/i.test(original.message);
  return new GraphQLError(cursor ? `after / before: not a cursor of this list (${original.message.slice(0, 200)})` : original.message, {
    nodes: (error as GraphQLError).nodes, path: (error as GraphQLError).path,
    extensions: { code: 'BAD_USER_INPUT', ...(cursor ? { fields: ['after', 'before'] } : {}) },
  });
}
