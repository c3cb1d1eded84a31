// Drives a connector kind against its fake the way discover/sync do: one GuardedHttp per run,
// built with the connector's secret so every error is redacted.
import os from 'node:os';
import { expect } from 'vitest';
import { GuardedHttp, type GuardedHttpOptions } from '@tributary/server/connectors/http.ts';
import { ConnectorError, type ConnectorKind, type KindContext, type NormalizedFinding, type Vep } from '@tributary/server/connectors/kind.ts';
import type { FakeTool } from '../fakes/fake.ts';

const SERVICE: Record<string, string> = {
  'sarif-directory': 'SARIF directory',
  sonarqube: 'SonarQube',
  'dependency-track': 'Dependency-Track',
  github: 'GitHub',
  gitlab: 'GitLab',
  snyk: 'Snyk',
};

export function contextFor(fake: FakeTool, opts: { secret?: string; http?: Omit<GuardedHttpOptions, 'service' | 'secrets'>; options?: Record<string, unknown>; sarifRoot?: string } = {}): KindContext {
  const secret = opts.secret ?? fake.token;
  return {
    config: { url: fake.url, secret, options: { ...fake.options, ...opts.options } },
    // the SARIF fake makes its directory in the OS temp dir, the test apps' TRIBUTARY_SARIF_ROOT too
    sarifRoot: opts.sarifRoot ?? os.tmpdir(),
    // 1 ms backoff: retries are counted, not waited for (Retry-After still sets the wait)
    http: new GuardedHttp({ service: SERVICE[fake.kind] ?? fake.kind, secrets: [secret], backoffMs: 1, ...opts.http }),
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

/** The ConnectorError a call must end with (fails the test if it resolves or throws something else). */
export async function connectorFailure(work: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await work.then(() => null, (e: unknown) => e);
  expect(outcome, 'expected the call to fail').toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

/** Requests whose path (with query) matches, e.g. `/api/issues/search` */
export function requestsTo(fake: FakeTool, pathPrefix: string) {
  return fake.requests.filter((r) => r.url.startsWith(pathPrefix));
}
