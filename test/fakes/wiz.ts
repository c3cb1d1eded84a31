// An in-memory Wiz tenant: the OAuth token endpoint (POST /oauth/token, form grant_type=
// client_credentials, audience=wiz-api, client_id, client_secret → access_token, expires_in 86400;
// Auth0's 401 access_denied for wrong credentials) and the GraphQL API (POST /graphql, Bearer) with
// `projects` and `vulnerabilityFindings` connections paged by first/after (at most 500) and
// pageInfo{hasNextPage endCursor}. Query errors arrive with HTTP 200 and `errors[].extensions.code`
// ⚠️ (the codes are Wiz's documented GraphQL ones; the 401 body for a bad token is assumed). A
// FakeFinding becomes one finding on a VM named after the project; state false_positive and
// risk_accepted render as status IGNORED, fixed as RESOLVED (which the kind does not ask for).
import { randomBytes } from 'node:crypto';
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { decodeCursor, encodeCursor, uuidFor } from './vendor-ids.ts';

const CLIENT_ID = 'k7xq3vbnzf5hjtmdq2w6c4rypeu2ygdoh5lgsq3ytwo4c2xzbq6y';
const CLIENT_SECRET = 'wiz-fake-secret-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHhJjKkLl';

export interface WizFake extends FakeTool {
  revokeAccessTokens(): void;
  readonly tokenExchanges: number;
  /** projects flagged archived */
  setArchived(keys: string[]): void;
}

const gqlError = (message: string, code: string, status = 200): FakeReply => ({ status, body: { errors: [{ message, extensions: { code } }], data: null } });

export async function startWizFake(): Promise<WizFake> {
  let projects: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const tokens = new Set<string>();
  let exchanges = 0;
  let archived = new Set<string>();

  const findingJson = (projectKey: string, f: FakeFinding) => {
    const project = projects.find((p) => p.key === projectKey);
    const status = f.state === 'fixed' ? 'RESOLVED' : f.state === 'false_positive' || f.state === 'risk_accepted' ? 'IGNORED' : 'OPEN';
    const id = uuidFor(`${projectKey}:${f.id}`);
    return {
      id,
      portalUrl: `https://app.wiz.io/explorer/vulnerability-findings#~(entity~(~'${id}*2cSECURITY_TOOL_FINDING))`,
      name: f.cve ?? f.title,
      CVEDescription: f.description ?? null,
      CVSSSeverity: f.severity === 'INFO' ? 'NONE' : f.severity,
      score: 7.8,
      hasExploit: true,
      hasCisaKevExploit: f.severity === 'CRITICAL',
      status,
      vendorSeverity: f.severity === 'INFO' ? 'NONE' : f.severity,
      firstDetectedAt: '2024-05-01T11:36:10.063767Z',
      lastDetectedAt: '2025-08-16T18:40:57Z',
      resolvedAt: status === 'RESOLVED' ? '2025-08-16T18:40:57Z' : null,
      description: f.description ?? null,
      remediation: f.componentName ? `yum update ${f.componentName}` : null,
      detailedName: f.componentName ?? 'openssl',
      version: f.componentVersion ?? '1.0.2k-24.amzn2.0.6',
      fixedVersion: f.componentName ? '4.0.3-35.amzn2.0.1' : '',
      detectionMethod: 'PACKAGE',
      link: f.cve ? `https://nvd.nist.gov/vuln/detail/${f.cve}` : null,
      locationPath: f.filePath ?? null,
      resolutionReason: status === 'IGNORED' ? 'Ignore rule: accepted in staging' : null,
      epssPercentile: 46.2,
      epssProbability: 0.1,
      vulnerableAsset: {
        id: uuidFor(`asset:${projectKey}`), type: 'VIRTUAL_MACHINE', name: `${project?.name ?? 'vm'}-vm`, region: 'us-east-1',
        providerUniqueId: 'arn:aws:ec2:us-east-1:998231069301:instance/i-0a0f7e1451da5f4a3', cloudPlatform: 'AWS', subscriptionExternalId: '998231069301',
      },
    };
  };

  const connection = (vars: any, nodes: unknown[]): FakeReply | { nodes: unknown[]; pageInfo: unknown } => {
    const first = vars.first ?? 10;
    if (!Number.isInteger(first) || first < 1 || first > 500) return gqlError('first must be between 1 and 500', 'BAD_USER_INPUT');
    const offset = decodeCursor(vars.after ?? null);
    if (offset === null) return gqlError('invalid cursor', 'BAD_USER_INPUT');
    const end = offset + Math.min(first, fake.pageSizeCap);
    const hasNextPage = end < nodes.length;
    return { nodes: nodes.slice(offset, end), pageInfo: { hasNextPage, endCursor: hasNextPage ? encodeCursor(fake.loopingPagination ? 0 : end) : null } };
  };

  const handle = (req: FakeRequest): FakeReply => {
    if (req.url.pathname === '/oauth/token') {
      if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' } };
      if (form.get('audience') !== 'wiz-api') return { status: 403, body: { error: 'access_denied', error_description: 'Service not enabled within domain: ' + form.get('audience') } };
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) return { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } };
      exchanges++;
      const token = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      return { body: { access_token: token, expires_in: 86400, token_type: 'Bearer' } };
    }
    if (req.url.pathname !== '/graphql') return { status: 404, body: '404 page not found' };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) return gqlError('Unauthorized', 'UNAUTHENTICATED', 401);
    let payload: any;
    try { payload = JSON.parse(req.body); } catch { return gqlError('invalid JSON', 'BAD_REQUEST', 400); }
    const query = String(payload?.query ?? '');
    const vars = payload?.variables ?? {};
    if (/\bprojects\s*\(/.test(query)) {
      const list = projects.map((p) => ({ id: p.key, name: p.name, slug: p.name.toLowerCase(), archived: archived.has(p.key), businessUnit: 'Payments' }));
      const page = connection(vars, list);
      return 'nodes' in page ? { body: { data: { projects: page } } } : page;
    }
    if (/\bvulnerabilityFindings\s*\(/.test(query)) {
      const ids: string[] = vars.filterBy?.projectId ?? [];
      const statuses: string[] | undefined = vars.filterBy?.status;
      const nodes = ids.flatMap((k) => (findings.get(k) ?? []).map((f) => findingJson(k, f))).filter((n) => !statuses || statuses.includes(n.status));
      const page = connection(vars, nodes);
      return 'nodes' in page ? { body: { data: { vulnerabilityFindings: page } } } : page;
    }
    return gqlError('Cannot query this field', 'GRAPHQL_VALIDATION_FAILED');
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 500 });
  return {
    ...fakeControls(fake),
    kind: 'wiz',
    url: `${fake.url}/graphql`,
    token: CLIENT_SECRET,
    options: { clientId: CLIENT_ID, authUrl: `${fake.url}/oauth/token` },
    projectKey: (n) => uuidFor(`wiz-project-${n}`),
    setProjects(list) { projects = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    revokeAccessTokens() { tokens.clear(); },
    get tokenExchanges() { return exchanges; },
    setArchived(keys) { archived = new Set(keys); },
  };
}
