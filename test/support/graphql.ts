// Talking GraphQL to a running Tributary and reading its answers: one HTTP client for the in-process
// app and for spawned server processes, the one way tests read errors, and global ids.
import { LOGIN } from './documents.ts';
import { ADMIN } from './env.ts';

export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; fields?: string[]; retryAfter?: string };
}
export interface GqlResult<T = any> { data?: T; errors?: GqlError[] }
export type Variables = Record<string, unknown>;

export interface GraphqlClient {
  /** the whole answer, errors included */
  gql<T = any>(query: string, variables?: Variables, token?: string): Promise<GqlResult<T>>;
  /** the data of a call that must succeed (throws with the errors otherwise) */
  ok<T = any>(query: string, variables?: Variables, token?: string): Promise<T>;
  /** a session token (the bootstrap superuser's unless told otherwise) */
  login(email?: string, password?: string): Promise<string>;
}

export function graphqlClient(url: string): GraphqlClient {
  const gql = async <T,>(query: string, variables?: Variables, token?: string): Promise<GqlResult<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  };
  return {
    gql,
    async ok(query, variables, token) { return dataOf(await gql(query, variables, token)); },
    async login(email = ADMIN.email, password = ADMIN.password) {
      const r = await gql<{ login: { token: string } }>(LOGIN, { i: { email, password } });
      if (!r.data?.login) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
      return r.data.login.token;
    },
  };
}

/** The data of an answer that must have no errors. */
export function dataOf<T>(r: GqlResult<T>): T {
  if (r.errors?.length || !r.data) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** Every error's code, in order: `[]` for a clean answer. */
export const codes = (r: { errors?: GqlError[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

/** The first error's code, fields and message (`message` is '' for a clean answer). */
export function firstError(r: { errors?: GqlError[] }) {
  const e = r.errors?.[0];
  return { code: e?.extensions?.code, fields: e?.extensions?.fields, message: e?.message ?? '' };
}

/** The Relay global id of a row: base64 of `Type:id`. */
export const gid = (type: string, id: number | string) => Buffer.from(`${type}:${id}`).toString('base64');

/** The row id inside a global id. */
export const rowId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
