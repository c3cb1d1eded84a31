// Drives a connector kind against its fake the way discover and sync do (one GuardedHttp per run,
// built with the connector's secret so every error is redacted), and the project keys each tool uses.
import os from 'node:os';
import { expect } from 'vitest';
import { GuardedHttp, type GuardedHttpOptions } from '@tributary/server/connectors/http.ts';
import { ConnectorError } from '@tributary/server/connectors/connector-error.ts';
import { findKind } from '@tributary/server/connectors/registry.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from '@tributary/server/connectors/kind.ts';
import type { FakeTool, FakeVep } from '../fakes/fake.ts';
import { uuidFor } from '../fakes/vendor-ids.ts';

/** the service name the first six kinds' tests expect; a kind added since uses its label, as connection.ts does */
const SERVICE: Record<string, string> = {
  'sarif-directory': 'SARIF directory',
  sonarqube: 'SonarQube',
  'dependency-track': 'Dependency-Track',
  github: 'GitHub',
  gitlab: 'GitLab',
  snyk: 'Snyk',
};

export interface ContextOverrides {
  secret?: string;
  url?: string;
  /** merged over the fake's options */
  options?: Record<string, unknown>;
  http?: Omit<GuardedHttpOptions, 'service' | 'secrets'>;
  sarifRoot?: string;
}

export function contextFor(fake: FakeTool, over: ContextOverrides = {}): KindContext {
  const secret = over.secret ?? fake.token;
  return {
    config: { url: over.url ?? fake.url, secret, options: { ...fake.options, ...over.options } },
    // the SARIF fake makes its directory in the OS temp dir, the test apps' TRIBUTARY_SARIF_ROOT too
    sarifRoot: over.sarifRoot ?? os.tmpdir(),
    // 1 ms backoff: retries are counted, not waited for (Retry-After still sets the wait)
    http: new GuardedHttp({ service: SERVICE[fake.kind] ?? findKind(fake.kind)?.label ?? fake.kind, secrets: [secret], backoffMs: 1, ...over.http }),
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

/** A project key in the shape each tool really uses (DT and Snyk validate UUIDs, GitHub/GitLab numeric ids, Sonar keys need a letter). */
export function keyFor(kind: string, n: number): string {
  if (kind === 'dependency-track' || kind === 'snyk') return uuidFor(`project-${n}`);
  if (kind === 'github' || kind === 'gitlab') return String(4200 + n);
  if (kind === 'sonarqube') return `org.example:app-${n}`;
  // DefectDojo products and Harbor projects are integer ids; Semgrep's too, in a higher range
  if (kind === 'defectdojo' || kind === 'harbor') return String(n);
  if (kind === 'semgrep') return String(500_000 + n);
  // a SARIF directory's key is its name
  return `app-${n}`;
}

export function projectsFor(kind: string, numbers: number[]): FakeVep[] {
  return numbers.map((n) => ({ key: keyFor(kind, n), name: `app-${n}` }));
}

/** Projects in the fake's own key shape when it declares one (a kind added later), else keyFor's. */
export function projectsOf(fake: FakeTool, numbers: number[]): FakeVep[] {
  return numbers.map((n) => ({ key: fake.projectKey?.(n) ?? keyFor(fake.kind, n), name: `app-${n}` }));
}
