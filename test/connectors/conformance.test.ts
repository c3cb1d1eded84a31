// Every kind in test/fakes/index.ts, driven through the same contract: complete multi-page
// listings, auth failures that name the cause without leaking the token, retry on 503, and
// the completeness rule (a failure on any later page or a looping `next` fails the whole listing).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectorKind, type NormalizedFinding, type Vep } from '@tributary/server/connectors/kind.ts';
import type { Severity } from '@tributary/server/severity.ts';
import { findKind } from '@tributary/server/connectors/registry.ts';
import type { FakeFinding, FakeTool } from '../fakes/fake.ts';
import { fakes } from '../fakes/index.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, projectsFor } from '../support/kinds.ts';

const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const WRONG_TOKEN = 'wrong-token-0123456789abcdef';

/** projects 1…count */
const projects = (kind: string, count: number) => projectsFor(kind, Array.from({ length: count }, (_, i) => i + 1));

function findings(count: number): FakeFinding[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `finding-${i + 1}`, title: `Finding ${i + 1}`, severity: SEVERITIES[i % SEVERITIES.length]!,
    description: `Description of finding ${i + 1}`, filePath: `src/module${i + 1}.ts`, line: 10 + i, cwe: 79,
  }));
}

/** Reads `listing` until its first item, then lets `afterFirst` arm a failure, then reads on. */
async function readWithFailureAfterFirst<T>(listing: AsyncIterable<T>, afterFirst: () => void): Promise<T[]> {
  const got: T[] = [];
  for await (const item of listing) {
    if (!got.length) afterFirst();
    got.push(item);
  }
  return got;
}

describe.each(Object.keys(fakes))('%s conformance', (kindId) => {
  const kind = findKind(kindId) as ConnectorKind;
  const isHttp = kindId !== 'sarif-directory';
  let fake: FakeTool;
  beforeEach(async () => { fake = await fakes[kindId]!(); });
  afterEach(async () => { await fake.close(); });

  it('is registered with the fake\'s kind id and declares its fields and dedupe', () => {
    expect(kind?.id).toBe(kindId);
    expect(fake.kind).toBe(kindId);
    expect(kind.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(isHttp ? ['secret'] : []);
    expect(kind.dedupe.hashFields.length).toBeGreaterThan(0);
  });

  it('discovers every VEP over several pages, keyed by the tool\'s stable key', async () => {
    const list = projects(kindId, 5);
    fake.setProjects(list);
    fake.setPageSizeCap(2);
    const veps = await discoverAll(kind, contextFor(fake));
    expect(veps.map((v) => v.key).sort()).toEqual(list.map((p) => p.key).sort());
    expect(new Set(veps.map((v) => v.key)).size).toBe(5);
    // SARIF has no requests to count: the listing is one readdir
    if (isHttp) expect(fake.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('fetches every finding over several pages', async () => {
    const [project] = projects(kindId, 1);
    fake.setProjects([project!]);
    fake.setFindings(project!.key, findings(5));
    fake.setPageSizeCap(2);
    const vep = (await discoverAll(kind, contextFor(fake)))[0]!;
    const pages = await fetchPages(kind, contextFor(fake), vep);
    const all: NormalizedFinding[] = pages.flat();
    expect(all).toHaveLength(5);
    expect(new Set(all.map((f) => f.uniqueIdFromTool ?? `${f.title}|${f.filePath}|${f.line}`)).size).toBe(5);
    expect(all.every((f) => SEVERITIES.includes(f.severity) && f.title.length > 0)).toBe(true);
    // Dependency-Track's finding list is one unpaginated response, whatever the page-size cap
    if (kindId === 'dependency-track') expect(pages.filter((p) => p.length)).toHaveLength(1);
    else expect(pages.filter((p) => p.length).length).toBeGreaterThanOrEqual(3);
  });

  it('a wrong token fails with a message naming the cause and never the token', async () => {
    // the SARIF directory has no token to be wrong
    if (!isHttp) return expect(fake.token).toBe('');
    fake.setProjects(projects(kindId, 1));
    for (const work of [() => kind.testConnection(contextFor(fake, { secret: WRONG_TOKEN })), () => discoverAll(kind, contextFor(fake, { secret: WRONG_TOKEN }))]) {
      const err = await connectorFailure(work());
      expect(err.message).toMatch(/40[13]|token|credential|unauthori[sz]ed|forbidden/i);
      expect(err.message).not.toContain(WRONG_TOKEN);
    }
  });

  it('waits out one 503 with Retry-After 0, then completes', async () => {
    const list = projects(kindId, 3);
    fake.setProjects(list);
    // nothing in a directory listing answers 503
    if (!isHttp) return expect((await discoverAll(kind, contextFor(fake))).map((v) => v.key)).toEqual(list.map((p) => p.key));
    fake.failNext(1, { status: 503, retryAfter: 0, body: '{"message":"Service Unavailable"}' });
    const veps = await discoverAll(kind, contextFor(fake));
    expect(veps.map((v) => v.key).sort()).toEqual(list.map((p) => p.key).sort());
  });

  it('a failure on a later page fails the whole listing: no partial result', async () => {
    // a file is read whole or not at all: there is no later page to fail
    if (!isHttp) return expect(typeof fake.failNext).toBe('function');
    const list = projects(kindId, 5);
    fake.setProjects(list);
    fake.setFindings(list[0]!.key, findings(5));
    fake.setPageSizeCap(2);
    const vep: Vep = (await discoverAll(kind, contextFor(fake)))[0]!;
    // no retries, so exactly one queued 502 fails exactly one request: the next page's
    const noRetry = () => contextFor(fake, { http: { retries: 0 } });
    const armFailure = () => fake.failNext(1, { status: 502, body: '{"message":"Bad Gateway"}' });
    const discoverError = await connectorFailure(readWithFailureAfterFirst(kind.discover(noRetry()), armFailure));
    expect(discoverError.message).toMatch(/502/);
    // Dependency-Track's finding list is a single response: its later-page case is discover's
    if (kindId !== 'dependency-track') {
      const fetchError = await connectorFailure(readWithFailureAfterFirst(kind.fetchFindings(noRetry(), vep), armFailure));
      expect(fetchError.message).toMatch(/502/);
    }
  });

  it('looping pagination fails instead of ending or spinning', async () => {
    // a directory listing has no `next` to loop
    if (!isHttp) return expect(() => fake.setLoopingPagination(true)).toThrow('sarif-directory has no pagination to loop');
    fake.setProjects(projects(kindId, 3));
    fake.setPageSizeCap(1);
    fake.setLoopingPagination(true);
    const err = await connectorFailure(discoverAll(kind, contextFor(fake)));
    expect(err.message).toMatch(/loops|twice|already read/);
  });
});
