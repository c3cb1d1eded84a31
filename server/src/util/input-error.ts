// A caller's mistake found below the GraphQL layer (a connector option, a record action): the API
// answers it as BAD_USER_INPUT naming `field` (graphql/errors.ts), so rules need not know GraphQL.
export class InputError extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
  }
}
