import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkmarxOneKind } from '@tributary/server/connectors/checkmarx-one.ts';
import { startCheckmarxOneFake, type CheckmarxFake } from '../fakes/checkmarx-one.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { uuidFor } from '../fakes/vendor-ids.ts';
import { connectorFailure, contextFor, discoverAll, fetchPages, type ContextOverrides } from '../support/kinds.ts';

const P1 = uuidFor('cx-project-1');
const PROJECTS = [{ key: P1, name: 'payments-api' }, { key: uuidFor('cx-project-2'), name: 'web-frontend' }, { key: uuidFor('cx-project-3'), name: 'infra' }];
const vep = { key: P1, name: 'payments-api' };
const FINDINGS: FakeFinding[] = [
  { id: 'sqli', title: 'SQL Injection', severity: 'CRITICAL', cwe: 89, filePath: 'src/orders.js', line: 42, description: 'The application builds a query from user input' },
  { id: 'lodash', title: 'Prototype Pollution', severity: 'HIGH', cwe: 1321, cve: 'CVE-2021-23337', componentName: 'lodash', componentVersion: '4.17.15' },
  { id: 'lodash-es', title: 'Prototype Pollution', severity: 'HIGH', cwe: 1321, cve: 'CVE-2021-23337', componentName: 'lodash-es', componentVersion: '4.17.15' },
  { id: 'xss', title: 'Reflected XSS', severity: 'MEDIUM', cwe: 79, filePath: 'src/view.js', line: 7, state: 'false_positive' },
  { id: 'info', title: 'Log Forging', severity: 'LOW', cwe: 117, filePath: 'src/log.js', line: 3, state: 'risk_accepted' },
  { id: 'gone', title: 'Fixed already', severity: 'HIGH', state: 'fixed' },
];

describe('checkmarx-one kind', () => {
  let fake: CheckmarxFake;
  beforeEach(async () => {
    fake = await startCheckmarxOneFake();
    fake.setProjects(PROJECTS);
  });
  afterEach(() => fake.close());
  const ctx = (over: ContextOverrides = {}) => contextFor(fake, over);

  it('exchanges the API key at the tenant realm, then sends the bearer token with a versioned Accept', async () => {
    expect(await checkmarxOneKind.testConnection(ctx())).toBe('Connected to Checkmarx One tenant acme: 3 projects');
    const [exchange, call] = fake.requests;
    expect([exchange!.method, exchange!.url]).toEqual(['POST', '/auth/realms/acme/protocol/openid-connect/token']);
    expect(exchange!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call!.url).toBe('/api/projects?offset=0&limit=1');
    expect(call!.headers.authorization).toMatch(/^Bearer eyJ\.access\./);
    expect(call!.headers.accept).toBe('application/json; version=1.0');
  });

  it('caches the access token until it is refused, then exchanges the key again', async () => {
    await discoverAll(checkmarxOneKind, ctx());
    await discoverAll(checkmarxOneKind, ctx());
    expect(fake.tokenExchanges).toBe(1);
    fake.revokeAccessTokens();
    expect((await discoverAll(checkmarxOneKind, ctx())).length).toBe(3);
    expect(fake.tokenExchanges).toBe(2);
  });

  it('discovers projects by id over offset pages', async () => {
    fake.setPageSizeCap(2);
    const veps = await discoverAll(checkmarxOneKind, ctx());
    expect(veps.map((v) => [v.key, v.name])).toEqual(PROJECTS.map((p) => [p.key, p.name]));
    expect(veps[0]!.metadata).toEqual({ repoUrl: 'https://github.com/acme/payments-api', mainBranch: 'main', groups: [], tags: { team: 'payments' } });
    expect(fake.requests.filter((r) => r.url.startsWith('/api/projects')).map((r) => r.url)).toEqual(['/api/projects?offset=0&limit=100', '/api/projects?offset=2&limit=100']);
  });

  it('maps the results of the newest completed scan, SAST and SCA, with their triage states', async () => {
    fake.setFindings(P1, FINDINGS);
    fake.setPageSizeCap(2);
    const pages = await fetchPages(checkmarxOneKind, ctx(), vep);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const scanUrl = fake.requests.find((r) => r.url.startsWith('/api/scans'))!.url;
    expect(scanUrl).toBe(`/api/scans?project-id=${P1}&statuses=Completed&sort=-created_at&offset=0&limit=1`);
    const scanId = uuidFor(`scan:${P1}`);
    const all = pages.flat();
    expect(all[0]).toEqual({
      title: 'SQL Injection',
      severity: 'CRITICAL',
      description: 'The application builds a query from user input',
      uniqueIdFromTool: Buffer.from('result:sqli').toString('base64'),
      vulnIdFromTool: String(5_157_925_289_005_576_664 + 89),
      filePath: '/src/orders.js',
      line: 42,
      cwe: 89,
      cwes: [89],
      vulnerabilityIds: [],
      componentName: null,
      componentVersion: null,
      mitigation: null,
      cvssScore: null,
      fixVersion: null,
      fixAvailable: null,
      vendorUrl: `${fake.url}/results/${scanId}/${P1}/sast`,
      toolName: 'Checkmarx One SAST',
      staticFinding: true,
      dynamicFinding: false,
      date: new Date('2024-11-05T08:09:10Z'),
      verified: false,
      falsePositive: false,
      dismissed: false,
      dismissedReason: null,
    });
    // one CVE in two packages: two findings, told apart by the package
    expect(all.slice(1, 3).map((f) => [f.title, f.uniqueIdFromTool, f.componentName, f.componentVersion, f.fixVersion, f.cvssScore, f.cwe, f.vulnerabilityIds])).toEqual([
      ['CVE-2021-23337 in lodash 4.17.15', 'CVE-2021-23337:Npm-lodash-4.17.15', 'lodash', '4.17.15', '4.17.21', 7.4, 1321, ['CVE-2021-23337']],
      ['CVE-2021-23337 in lodash-es 4.17.15', 'CVE-2021-23337:Npm-lodash-es-4.17.15', 'lodash-es', '4.17.15', '4.17.21', 7.4, 1321, ['CVE-2021-23337']],
    ]);
    expect(all.slice(3).map((f) => [f.title, f.falsePositive, f.dismissed, f.dismissedReason])).toEqual([
      ['Reflected XSS', true, true, 'Not exploitable'],
      ['Log Forging', false, false, null],
    ]);
  });

  it('asks for the configured branch, and a project never scanned there has no findings', async () => {
    fake.setFindings(P1, FINDINGS);
    expect(await fetchPages(checkmarxOneKind, ctx({ options: { branch: 'release/2.0' } }), vep)).toEqual([]);
    expect(fake.requests.at(-1)!.url).toContain('&branch=release%2F2.0&');
  });

  it('a wrong API key and a wrong tenant fail with what Keycloak said, never the key', async () => {
    const secret = 'eyJ.wrong.key-0123456789';
    const err = await connectorFailure(discoverAll(checkmarxOneKind, ctx({ secret })));
    expect(err.status).toBe(401);
    expect(err.message).toBe('Checkmarx One rejected the API key for tenant "acme" (400 invalid_grant: Invalid refresh token): create a new API key (Identity and Access Management → API Keys)');
    const tenantErr = await connectorFailure(checkmarxOneKind.testConnection(ctx({ options: { tenant: 'acme-typo' } })));
    expect(tenantErr.message).toBe(`Checkmarx One: no tenant "acme-typo" at ${fake.url} (404 Realm does not exist); check the tenant name and the IAM URL`);
  });

  it('derives the IAM host from the API host', async () => {
    const { iamRoot } = await import('@tributary/server/connectors/checkmarx-one-auth.ts');
    const at = (url: string, options: Record<string, unknown> = {}) => iamRoot({ config: { url, secret: 'x', options }, http: null as never, sarifRoot: '' });
    expect(at('https://ast.checkmarx.net/api')).toBe('https://iam.checkmarx.net');
    expect(at('https://eu.ast.checkmarx.net')).toBe('https://eu.iam.checkmarx.net');
    expect(at('https://cx.internal.example')).toBe('https://cx.internal.example');
    expect(at('https://ast.checkmarx.net', { iamUrl: 'https://iam.example/' })).toBe('https://iam.example');
  });

  it('an empty page before totalCount, or a repeated page, fails instead of closing findings', async () => {
    fake.setFindings(P1, FINDINGS);
    fake.setPageSizeCap(2);
    fake.failNext(1, { status: 200, pathIncludes: 'offset=2', body: JSON.stringify({ totalCount: 5, results: [] }) });
    expect((await connectorFailure(fetchPages(checkmarxOneKind, ctx(), vep))).message).toBe(`Checkmarx One ended the results of scan ${uuidFor(`scan:${P1}`)} after 2 of 5`);
    fake.setLoopingPagination(true);
    expect((await connectorFailure(fetchPages(checkmarxOneKind, ctx(), vep))).message).toMatch(/^Checkmarx One: pagination loops back to a page already read/);
  });

  it('validates the tenant option', () => {
    expect(checkmarxOneKind.validateOptions!({}, 'https://ast.checkmarx.net')).toBe('tenant: the Checkmarx One tenant name is required');
    expect(checkmarxOneKind.validateOptions!({ tenant: 'acme corp' }, 'https://ast.checkmarx.net')).toMatch(/^tenant: "acme corp" is not a tenant name/);
    expect(checkmarxOneKind.validateOptions!({ tenant: 'acme' }, 'https://ast.checkmarx.net')).toBeNull();
    expect(checkmarxOneKind.validateOptions!({ tenant: 'acme', iamUrl: 'https://eu.iam.checkmarx.net' }, 'https://eu.ast.checkmarx.net')).toBeNull();
    expect(checkmarxOneKind.validateOptions!({ tenant: 'acme', iamUrl: 'https://collector.example' }, 'https://ast.checkmarx.net'))
      .toBe('iamUrl: collector.example is not the API URL\'s site (checkmarx.net); the API key is only sent to the tenant\'s own IAM');
  });
});
