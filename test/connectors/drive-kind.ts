// Driving a connector kind against its fake the way discover/sync do: a GuardedHttp that knows the
// secret, and the kind's async iterables collected into arrays.
import { GuardedHttp } from '@tributary/server/connectors/http.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from '@tributary/server/connectors/kind.ts';
import type { FakeTool } from '../fakes/fake.ts';

export function contextFor(kind: ConnectorKind, fake: FakeTool, over: { secret?: string; url?: string; options?: Record<string, unknown> } = {}): KindContext {
  const secret = over.secret ?? fake.token;
  return {
    config: { url: over.url ?? fake.url, secret, options: over.options ?? fake.options },
    // backoff of 1 ms keeps retry tests fast; Retry-After still decides when the fake sends it
    http: new GuardedHttp({ service: kind.label.split(' ')[0]!, secrets: [secret], backoffMs: 1, timeoutMs: 5_000 }),
  };
}

export async function discoverAll(kind: ConnectorKind, ctx: KindContext): Promise<Vep[]> {
  const out: Vep[] = [];
  for await (const vep of kind.discover(ctx)) out.push(vep);
  return out;
}

export async function fetchPages(kind: ConnectorKind, ctx: KindContext, vep: Vep): Promise<NormalizedFinding[][]> {
  const pages: NormalizedFinding[][] = [];
  for await (const page of kind.fetchFindings(ctx, vep)) pages.push(page);
  return pages;
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
