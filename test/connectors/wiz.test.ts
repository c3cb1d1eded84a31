import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wizKind } from '@tributary/server/connectors/wiz.ts';
import { startWizFake, type WizFake } from '../fakes/wiz.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { uuidFor } from '../fakes/vendor-ids.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const P1 = uuidFor('wiz-p1');
const PROJECTS = [{ key: P1, name: 'payments' }, { key: uuidFor('wiz-p2'), name: 'legacy' }, { key: uuidFor('wiz-p3'), name: 'data' }];
const vep = { key: P1, name: 'payments' };
const FINDINGS: FakeFinding[] = [
  { id: 'tiff', title: 'libtiff', severity: 'CRITICAL', cve: 'CVE-2020-35522', componentName: 'libtiff', componentVersion: '4.0.3-35.amzn2', filePath: '/usr/lib64/libtiff.so.5', description: 'The package libtiff is vulnerable' },
  { id: 'b', title: 'GHSA-jfh8-c2jp-5v3q', severity: 'HIGH', componentName: 'log4j-core', componentVersion: '2.14.1' },
  { id: 'c', title: 'WIZ-2024-001', severity: 'MEDIUM' },
  { id: 'ignored', title: 'CVE-2023-0001', severity: 'LOW', state: 'risk_accepted' },
  { id: 'none', title: 'CVE-2023-0002', severity: 'INFO' },
  { id: 'fixed', title: 'CVE-2019-0001', severity: 'HIGH', state: 'fixed' },
];

describe('wiz kind', () => {
  let fake: WizFake;
  beforeEach(async () => {
    fake = await startWizFake();
    fake.setProjects(PROJECTS);
  });
  afterEach(() => fake.close());
  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('exchanges client credentials for a wiz-api token, caches it, and renews it when refused', async () => {
    expect(await wizKind.testConnection(ctx())).toBe('Connected to Wiz');
    const [exchange, call] = fake.requests;
    expect([exchange!.method, exchange!.url, exchange!.headers['content-type']]).toEqual(['POST', '/oauth/token', 'application/x-www-form-urlencoded']);
    expect([call!.method, call!.url]).toEqual(['POST', '/graphql']);
    expect(call!.headers.authorization).toMatch(/^Bearer eyJ/);
    await discoverAll(wizKind, ctx());
    expect(fake.tokenExchanges).toBe(1);
    fake.revokeAccessTokens();
    expect(await discoverAll(wizKind, ctx())).toHaveLength(3);
    expect(fake.tokenExchanges).toBe(2);
  });

  it('discovers non-archived projects over first/after cursors', async () => {
    fake.setArchived([PROJECTS[1]!.key]);
    fake.setPageSizeCap(1);
    const veps = await discoverAll(wizKind, ctx({ url: fake.url }));
    expect(veps.map((v) => [v.key, v.name])).toEqual([[P1, 'payments'], [PROJECTS[2]!.key, 'data']]);
    expect(veps[0]!.metadata).toEqual({ slug: 'payments', businessUnit: 'Payments' });
    expect(fake.requests.filter((r) => r.url === '/graphql')).toHaveLength(3);
  });

  it('maps the project\'s open and ignored vulnerability findings with the analyst fields', async () => {
    fake.setFindings(P1, FINDINGS);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(wizKind, ctx(), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    const id = uuidFor(`${P1}:tiff`);
    expect(all[0]).toEqual({
      title: 'CVE-2020-35522 in libtiff 4.0.3-35.amzn2 on payments-vm',
      severity: 'CRITICAL',
      description: 'The package libtiff is vulnerable\n\nAsset: payments-vm (VIRTUAL_MACHINE, AWS, us-east-1)\narn:aws:ec2:us-east-1:998231069301:instance/i-0a0f7e1451da5f4a3',
      uniqueIdFromTool: id,
      vulnIdFromTool: 'CVE-2020-35522',
      vulnerabilityIds: ['CVE-2020-35522'],
      filePath: '/usr/lib64/libtiff.so.5',
      componentName: 'libtiff',
      componentVersion: '4.0.3-35.amzn2',
      fixVersion: '4.0.3-35.amzn2.0.1',
      fixAvailable: true,
      mitigation: 'yum update libtiff',
      references: 'https://nvd.nist.gov/vuln/detail/CVE-2020-35522',
      vendorUrl: `https://app.wiz.io/explorer/vulnerability-findings#~(entity~(~'${id}*2cSECURITY_TOOL_FINDING))`,
      cvssScore: 7.8,
      epssScore: 0.1,
      epssPercentile: 0.462,
      knownExploited: true,
      toolName: 'Wiz',
      staticFinding: false,
      dynamicFinding: false,
      date: new Date('2024-05-01T11:36:10.063Z'),
      mitigated: false,
      mitigatedAt: null,
      dismissed: false,
      dismissedReason: null,
    });
    expect(all[1]!.vulnerabilityIds).toEqual(['GHSA-jfh8-c2jp-5v3q']);
    expect(all[2]!.vulnerabilityIds).toEqual([]);
    expect([all[3]!.dismissed, all[3]!.dismissedReason, all[3]!.falsePositive]).toEqual([true, 'Ignore rule: accepted in staging', undefined]);
    // the resolved finding is not asked for: its absence closes it
    expect(all.some((f) => f.title.startsWith('CVE-2019-0001'))).toBe(false);
    const bodies = fake.requests.filter((r) => r.url === '/graphql');
    expect(bodies).toHaveLength(3);
  });

  it('wrong credentials fail with Wiz\'s answer, never the secret', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const err = await connectorFailure(discoverAll(wizKind, ctx({ secret })));
    expect(err.status).toBe(401);
    expect(err.message).toBe('Wiz rejected the service account credentials (401 access_denied: Unauthorized): check the client ID and secret and the auth URL of your tenant');
  });

  it('a GraphQL error or a page promising more without a cursor fails the listing', async () => {
    await wizKind.testConnection(ctx());
    fake.failNext(1, { status: 200, pathIncludes: '/graphql', body: JSON.stringify({ errors: [{ message: 'Missing required scope read:vulnerabilities', extensions: { code: 'FORBIDDEN' } }], data: null }) });
    expect((await connectorFailure(fetchPages(wizKind, ctx(), vep))).message).toBe('Wiz GraphQL error: Missing required scope read:vulnerabilities (FORBIDDEN)');
    fake.failNext(1, { status: 200, pathIncludes: '/graphql', body: JSON.stringify({ data: { projects: { nodes: [{ id: P1, name: 'payments' }], pageInfo: { hasNextPage: true, endCursor: null } } } }) });
    expect((await connectorFailure(discoverAll(wizKind, ctx()))).message).toBe('Wiz said more projects follow but sent no endCursor');
  });

  it('requires a client ID', () => {
    expect(wizKind.validateOptions!({}, 'https://api.us17.app.wiz.io/graphql')).toBe('clientId: the Wiz service account\'s client ID is required');
    expect(wizKind.validateOptions!({ clientId: 'abc' }, 'https://api.us17.app.wiz.io/graphql')).toBeNull();
    expect(wizKind.validateOptions!({ clientId: 'abc', authUrl: 'https://auth.gov.wiz.io/oauth/token' }, 'https://api.us17.app.wiz.io/graphql')).toBeNull();
    // the secret goes to authUrl: moving it off the API's site alone would hand the stored secret elsewhere
    expect(wizKind.validateOptions!({ clientId: 'abc', authUrl: 'https://collector.example/oauth/token' }, 'https://api.us17.app.wiz.io/graphql'))
      .toBe('authUrl: collector.example is not the API URL\'s site (wiz.io); the client secret is only sent to the tenant\'s own auth endpoint');
  });
});
