// Every kind in the registry, driven through its fake in test/fakes/index.ts and the same contract:
// complete multi-page listings, auth failures that name the cause without leaking the token, waits
// on 429/503 honouring Retry-After, and the completeness rule: a failure on a later page, a looping
// or foreign-host `next` link, a stalled body or malformed JSON must make the listing throw, because
// a listing that ends normally is taken as complete (discover marks the absent MISSING, sync closes
// the absent findings). A new kind needs no line here: registering it and its fake is enough.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectorKind, type NormalizedFinding, type Vep } from '@tributary/server/connectors/kind.ts';
import type { Severity } from '@tributary/server/severity.ts';
import { connectorKinds, findKind } from '@tributary/server/connectors/registry.ts';
import type { FakeFinding, FakeTool } from '../fakes/fake.ts';
import { fakes } from '../fakes/index.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, projectsOf } from '../support/kinds.ts';
import { startHttpFake } from '../fakes/http-fake.ts';

const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const WRONG_TOKEN = 'wrong-token-0123456789abcdef';

/** projects 1…count, keyed as the fake's tool keys them */
const projects = (fake: FakeTool, count: number) => projectsOf(fake, Array.from({ length: count }, (_, i) => i + 1));

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

/**
 * Drains a listing the way sync consumes it: pages are only "applied" once the listing has ended
 * normally. Returns what a reimport would close-check against, or the error that stops it.
 */
async function consumeLikeSync<T>(listing: AsyncIterable<T>): Promise<{ applied: T[] | null; error: unknown }> {
  const pending: T[] = [];
  try {
    for await (const item of listing) pending.push(item);
  } catch (error) {
    return { applied: null, error };
  }
  return { applied: pending, error: null };
}

describe('the registry and the fakes', () => {
  it('every registered kind has a fake (so the suite below runs it), and every fake a kind', () => {
    expect(Object.keys(fakes).sort()).toEqual(connectorKinds.map((k) => k.id).sort());
  });
});

describe.each(Object.keys(fakes))('%s conformance', (kindId) => {
  const kind = findKind(kindId) as ConnectorKind;
  const isHttp = kindId !== 'sarif-directory';
  let fake: FakeTool;
  beforeEach(async () => { fake = await fakes[kindId]!(); });
  afterEach(async () => { await fake.close(); });
  const oneResponse = () => kindId === 'dependency-track' || fake.findingsInOneResponse === true;

  it('is registered with the fake\'s kind id and declares its fields and dedupe', () => {
    expect(kind?.id).toBe(kindId);
    expect(fake.kind).toBe(kindId);
    expect(kind.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(isHttp ? ['secret'] : []);
    expect(kind.dedupe.hashFields.length).toBeGreaterThan(0);
  });

  it('discovers every VEP over several pages, keyed by the tool\'s stable key', async () => {
    const list = projects(fake, 5);
    fake.setProjects(list);
    fake.setPageSizeCap(2);
    const veps = await discoverAll(kind, contextFor(fake));
    expect(veps.map((v) => v.key).sort()).toEqual(list.map((p) => p.key).sort());
    expect(new Set(veps.map((v) => v.key)).size).toBe(5);
    // SARIF has no requests to count: the listing is one readdir
    if (isHttp) expect(fake.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('fetches every finding over several pages', async () => {
    const [project] = projects(fake, 1);
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
    if (oneResponse()) expect(pages.filter((p) => p.length)).toHaveLength(1);
    else expect(pages.filter((p) => p.length).length).toBeGreaterThanOrEqual(3);
  });

  it('a wrong token fails with a message naming the cause and never the token', async () => {
    // the SARIF directory has no token to be wrong
    if (!isHttp) return expect(fake.token).toBe('');
    fake.setProjects(projects(fake, 1));
    for (const work of [() => kind.testConnection(contextFor(fake, { secret: WRONG_TOKEN })), () => discoverAll(kind, contextFor(fake, { secret: WRONG_TOKEN }))]) {
      const err = await connectorFailure(work());
      expect(err.message).toMatch(/40[13]|token|credential|unauthori[sz]ed|forbidden/i);
      expect(err.message).not.toContain(WRONG_TOKEN);
    }
  });

  it('waits out one 503 with Retry-After 0, then completes', async () => {
    const list = projects(fake, 3);
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
    const list = projects(fake, 5);
    fake.setProjects(list);
    fake.setFindings(list[0]!.key, findings(5));
    fake.setPageSizeCap(2);
    const vep: Vep = (await discoverAll(kind, contextFor(fake)))[0]!;
    // no retries, so exactly one queued 502 fails exactly one request: the next page's
    const noRetry = () => contextFor(fake, { http: { retries: 0 } });
    const armFailure = () => fake.failNext(1, { status: 502, body: '{"message":"Bad Gateway"}' });
    const discoverError = await connectorFailure(readWithFailureAfterFirst(kind.discover(noRetry()), armFailure));
    expect(discoverError.message).toMatch(/502/);
    // a finding list that is a single response (Dependency-Track's): its later-page case is discover's
    if (!oneResponse()) {
      const fetchError = await connectorFailure(readWithFailureAfterFirst(kind.fetchFindings(noRetry(), vep), armFailure));
      expect(fetchError.message).toMatch(/502/);
    }
  });

  it('looping pagination fails instead of ending or spinning', async () => {
    // a directory listing has no `next` to loop
    if (!isHttp) return expect(() => fake.setLoopingPagination(true)).toThrow('sarif-directory has no pagination to loop');
    fake.setProjects(projects(fake, 3));
    fake.setPageSizeCap(1);
    fake.setLoopingPagination(true);
    const err = await connectorFailure(discoverAll(kind, contextFor(fake)));
    expect(err.message).toMatch(/loops|twice|already read/);
  });

  it('waits out a 429 for the Retry-After it names (1 s), then completes', async () => {
    const list = projects(fake, 2);
    fake.setProjects(list);
    if (!isHttp) return expect((await discoverAll(kind, contextFor(fake))).map((v) => v.key)).toEqual(list.map((p) => p.key));
    fake.failNext(1, { status: 429, retryAfter: 1, body: '{"message":"Too Many Requests"}' });
    const started = Date.now();
    const veps = await discoverAll(kind, contextFor(fake));
    expect(veps.map((v) => v.key).sort()).toEqual(list.map((p) => p.key).sort());
    // the 1 ms backoff would retry at once: only honouring Retry-After makes it wait
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a 503 whose Retry-After outlasts the wait allowed fails instead of waiting or ending', async () => {
    if (!isHttp) return expect(fake.requests).toEqual([]);
    fake.setProjects(projects(fake, 2));
    fake.failNext(1, { status: 503, retryAfter: 3600, body: '{"message":"Service Unavailable"}' });
    const outcome = await consumeLikeSync(kind.discover(contextFor(fake, { http: { maxRetryAfterMs: 1000 } })));
    expect(outcome.applied).toBeNull();
    expect(String((outcome.error as Error).message)).toMatch(/503/);
  });

  it('a next link to another host is refused, and that host never gets a request', async () => {
    // only tools whose next links are URLs can point them elsewhere (page numbers and totals cannot)
    if (!fake.setNextLinkOrigin) return expect(fake.setNextLinkOrigin).toBeUndefined();
    const foreign = await startHttpFake(() => ({ body: [] }), { pageSizeCap: 100 });
    try {
      fake.setProjects(projects(fake, 3));
      fake.setPageSizeCap(1);
      fake.setNextLinkOrigin(foreign.url);
      const outcome = await consumeLikeSync(kind.discover(contextFor(fake)));
      expect(outcome.applied).toBeNull();
      expect(String((outcome.error as Error).message)).toMatch(/refus|not .*origin|another host/i);
      expect(foreign.requests).toEqual([]);
    } finally {
      await foreign.close();
    }
  });

  it('a stalled response body times out and fails the listing', async () => {
    if (!isHttp) return expect(fake.requests).toEqual([]);
    const [project] = projects(fake, 1);
    fake.setProjects([project!]);
    fake.setFindings(project!.key, findings(3));
    const vep = (await discoverAll(kind, contextFor(fake)))[0]!;
    const stalling = () => contextFor(fake, { http: { retries: 0, timeoutMs: 400 } });
    fake.failNext(1, { status: 200, stall: true, body: JSON.stringify({ results: [], data: [], projects: [], findings: [] }) });
    const discover = await consumeLikeSync(kind.discover(stalling()));
    expect(discover.applied).toBeNull();
    expect(String((discover.error as Error).message)).toMatch(/cut short|timed out|no answer/);
    fake.failNext(1, { status: 200, stall: true, body: JSON.stringify({ results: [], data: [], projects: [], findings: [] }) });
    const fetch = await consumeLikeSync(kind.fetchFindings(stalling(), vep));
    expect(fetch.applied).toBeNull();
  });

  it('malformed JSON fails the listing, whether it is the first page or a later one', async () => {
    if (!isHttp) {
      // the directory's equivalent: a report cut short is refused, not read as "no findings"
      const [project] = projects(fake, 1);
      fake.setProjects([project!]);
      fake.setFindings(project!.key, findings(2));
      const vep = (await discoverAll(kind, contextFor(fake)))[0]!;
      const sarif = fake as FakeTool & { writeReport?: (key: string, name: string, content: string, at: Date) => string };
      sarif.writeReport!(project!.key, 'zz-newest.sarif', '{"version":"2.1.0","runs":[{"results":[', new Date(Date.now() + 60_000));
      const outcome = await consumeLikeSync(kind.fetchFindings(contextFor(fake), vep));
      return expect(outcome.applied).toBeNull();
    }
    const list = projects(fake, 5);
    fake.setProjects(list);
    fake.setFindings(list[0]!.key, findings(5));
    fake.setPageSizeCap(2);
    const vep = (await discoverAll(kind, contextFor(fake)))[0]!;
    const malformed = { status: 200, body: '{"results": [{"id": 1,', contentType: 'application/json' };
    fake.failNext(1, malformed);
    const first = await consumeLikeSync(kind.discover(contextFor(fake)));
    expect(first.applied).toBeNull();
    expect(String((first.error as Error).message)).toMatch(/JSON|not valid|malformed/i);
    const later = await connectorFailure(readWithFailureAfterFirst(kind.discover(contextFor(fake)), () => fake.failNext(1, malformed)));
    expect(later.message).toMatch(/JSON/);
    if (!oneResponse()) {
      const laterFindings = await connectorFailure(readWithFailureAfterFirst(kind.fetchFindings(contextFor(fake), vep), () => fake.failNext(1, malformed)));
      expect(laterFindings.message).toMatch(/JSON/);
    }
  });
});
