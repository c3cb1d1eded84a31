import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { burpEnterpriseKind } from '@tributary/server/connectors/burp-enterprise.ts';
import { startBurpEnterpriseFake, type BurpFake } from '../fakes/burp-enterprise.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const SITES = [{ key: '11', name: 'shop' }, { key: '12', name: 'blog' }, { key: '13', name: 'ci-run-4711' }];
const FINDINGS: FakeFinding[] = [
  { id: 'sqli', title: 'SQL injection', severity: 'HIGH', cwe: 89, filePath: 'search', description: 'The <q> parameter & friends' },
  { id: 'xss', title: 'Cross-site scripting (reflected)', severity: 'MEDIUM', cwe: 79, filePath: 'comment' },
  { id: 'fp', title: 'Open redirection', severity: 'LOW', filePath: 'go', state: 'false_positive' },
  { id: 'ar', title: 'Strict transport security not enforced', severity: 'LOW', filePath: '', state: 'risk_accepted' },
  { id: 'info', title: 'Email addresses disclosed', severity: 'INFO', filePath: 'about' },
];

describe('burp-enterprise kind', () => {
  let fake: BurpFake;
  beforeEach(async () => {
    fake = await startBurpEnterpriseFake();
    fake.setProjects(SITES);
  });
  afterEach(() => fake.close());
  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('sends named GraphQL operations with the raw API key to /graphql/v1', async () => {
    expect(await burpEnterpriseKind.testConnection(ctx({ url: `${fake.url}/graphql/v1` }))).toBe('Connected to Burp Suite DAST: 3 sites');
    const r = fake.requests[0]!;
    expect([r.method, r.url]).toEqual(['POST', '/graphql/v1']);
    expect(r.headers.authorization).toBe(fake.token);
  });

  it('discovers sites by id with their folder path, skipping ephemeral CI sites', async () => {
    fake.setEphemeral(['13']);
    fake.setFindings('11', FINDINGS);
    const veps = await discoverAll(burpEnterpriseKind, ctx());
    expect(veps.map((v) => [v.key, v.name])).toEqual([['11', 'Web apps / shop'], ['12', 'Web apps / blog']]);
    expect(veps[0]!.metadata).toEqual({ startUrls: ['https://shop.example.com/'], latestScanId: expect.any(String), latestScanAt: '2025-03-04T06:00:00.000Z' });
    expect(veps[1]!.metadata).toMatchObject({ latestScanId: null, latestScanAt: null });
  });

  it('maps the issues of the newest succeeded scan, page by page with start/count', async () => {
    fake.setFindings('11', FINDINGS);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(burpEnterpriseKind, ctx(), { key: '11', name: 'shop' });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(all.map((f) => f.severity)).toEqual(['HIGH', 'MEDIUM', 'LOW', 'LOW', 'INFO']);
    const scanId = all[0]!.vendorUrl!.split('/').pop();
    expect(all[0]).toEqual({
      title: 'SQL injection',
      severity: 'HIGH',
      description: 'The <q> parameter & friends\n\nIssue background: the application & its users are at risk.',
      uniqueIdFromTool: 'fp-sqli',
      vulnIdFromTool: expect.stringMatching(/^\d+$/),
      filePath: 'https://shop.example.com/search',
      cwe: 89,
      cwes: [89, 20],
      mitigation: '- Validate input.\n- Encode output.',
      references: 'https://owasp.org/www-community/attacks/',
      vendorUrl: `${fake.url}/scans/${scanId}`,
      toolName: 'Burp Scanner',
      staticFinding: false,
      dynamicFinding: true,
      date: new Date('2025-03-04T05:06:07.000Z'),
      verified: true,
      falsePositive: false,
      riskAccepted: false,
      dismissed: false,
    });
    expect(all.slice(2, 4).map((f) => [f.title, f.falsePositive, f.riskAccepted, f.dismissed])).toEqual([
      ['Open redirection', true, false, true],
      ['Strict transport security not enforced', false, true, true],
    ]);
    const starts = fake.requests.filter((r) => r.method === 'POST').length;
    // latest scan, then pages at 0, 2, 4 and the empty page at 5
    expect(starts).toBe(5);
  });

  it('falls back to type|origin|path ids on a server without Issue.fingerprint', async () => {
    fake.setFindings('11', FINDINGS.slice(0, 2));
    fake.setFingerprints(false);
    const all = (await fetchPages(burpEnterpriseKind, ctx(), { key: '11', name: 'shop' })).flat();
    expect(all.map((f) => f.uniqueIdFromTool)).toEqual([
      `${all[0]!.vulnIdFromTool}|https://shop.example.com|/search`,
      `${all[1]!.vulnIdFromTool}|https://shop.example.com|/comment`,
    ]);
  });

  it('a site without a succeeded scan has no findings (a complete, empty fetch)', async () => {
    expect(await fetchPages(burpEnterpriseKind, ctx(), { key: '12', name: 'blog' })).toEqual([]);
  });

  it('a wrong API key fails naming the cause, never the key', async () => {
    const secret = 'not-the-key-0123456789';
    const err = await connectorFailure(discoverAll(burpEnterpriseKind, ctx({ secret })));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^401 from Burp Suite DAST \(the token was rejected\): .*Unauthorized/);
    expect(err.message).not.toContain(secret);
  });

  it('a repeated issue page and a site listed twice fail instead of ending quietly', async () => {
    fake.setFindings('11', FINDINGS);
    fake.setPageSizeCap(2);
    fake.setLoopingPagination(true);
    expect((await connectorFailure(fetchPages(burpEnterpriseKind, ctx(), { key: '11', name: 'shop' }))).message).toMatch(/pagination loops back to a page already read/);
    expect((await connectorFailure(discoverAll(burpEnterpriseKind, ctx()))).message).toBe('Burp Suite DAST listed site 11 twice: the site tree is inconsistent');
  });

  it('a GraphQL error with HTTP 200 fails the listing', async () => {
    fake.failNext(1, { status: 200, body: '{"errors":[{"message":"Internal server error"}]}' });
    expect((await connectorFailure(discoverAll(burpEnterpriseKind, ctx()))).message).toBe('Burp Suite DAST GraphQL error: Internal server error');
  });
});
