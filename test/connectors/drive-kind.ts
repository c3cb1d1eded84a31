// The GitHub/GitLab/Snyk tests' way of building a kind context (overriding url and options);
// collecting the kind's iterables is kind-harness.ts's.
import os from 'node:os';
import { GuardedHttp } from '@tributary/server/connectors/http.ts';
import type { ConnectorKind, KindContext } from '@tributary/server/connectors/kind.ts';
import type { FakeTool } from '../fakes/fake.ts';

export function contextFor(kind: ConnectorKind, fake: FakeTool, over: { secret?: string; url?: string; options?: Record<string, unknown> } = {}): KindContext {
  const secret = over.secret ?? fake.token;
  return {
    config: { url: over.url ?? fake.url, secret, options: over.options ?? fake.options },
    // read only by file-based kinds; as in the test apps
    sarifRoot: os.tmpdir(),
    // backoff of 1 ms keeps retry tests fast; Retry-After still decides when the fake sends it
    http: new GuardedHttp({ service: kind.label.split(' ')[0]!, secrets: [secret], backoffMs: 1, timeoutMs: 5_000 }),
  };
}

/** The rejection of a promise, for exact assertions on its type and message. */
export async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

export { discoverAll, fetchPages } from './kind-harness.ts';
