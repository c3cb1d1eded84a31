// An in-memory Burp Suite DAST GraphQL API (POST /graphql/v1), written from PortSwigger's schema
// and "common tasks" pages: the raw API key in Authorization, named operations only, errors as
// `{errors:[{message}]}` with HTTP 200, `scans(offset, limit, site_id, scan_status, sort_column,
// sort_order)` and `scan(id){issues(start, count)}` offset paging. Each FakeVep is a site in a
// folder "Web apps"; each site given findings has one succeeded scan, any other none. A FakeFinding becomes one Issue at path /<filePath>; `false_positive` renders
// as confidence false_positive, `risk_accepted` as accepted_risk. Looping pagination makes `start`
// ignored (every page is the first) and lists every site twice in the site tree.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { Numbering } from './vendor-ids.ts';

const API_KEY = 'fJ3kq9Zb2mVx7Lw1Pr8sTn4YcA6hDe0G';
const FOLDER = { id: '2', name: 'Web apps', parent_id: null };
const SEVERITY: Record<string, string> = { CRITICAL: 'high', HIGH: 'high', MEDIUM: 'medium', LOW: 'low', INFO: 'info' };

export interface BurpFake extends FakeTool {
  /** off: the server predates Issue.fingerprint and rejects any query naming it */
  setFingerprints(on: boolean): void;
  /** sites flagged ephemeral (CI-driven scans) */
  setEphemeral(keys: string[]): void;
}

const gqlError = (message: string, status = 200): FakeReply => ({ status, body: { errors: [{ message, locations: [], extensions: {} }] } });

export async function startBurpEnterpriseFake(): Promise<BurpFake> {
  let sites: FakeVep[] = [];
  const findings = new Map<string, FakeFinding[]>();
  const scanIds = new Numbering();
  let fingerprints = true;
  let ephemeral = new Set<string>();

  const scanOf = (siteKey: string) => ({ id: String(100 + scanIds.numberFor(`scan:${siteKey}`) * 2), site: siteKey });

  const issueJson = (f: FakeFinding, index: number) => {
    // Burp's type_index is a number (e.g. 1049088 = 0x00100200, SQL injection)
    const typeIndex = 0x00100000 + (f.cwe ?? 0) * 256 + (f.title.length % 256);
    return {
      ...(fingerprints ? { fingerprint: `fp-${f.id}` } : {}),
      serial_number: String(7_000_000_000_000_000_000n + BigInt(index) * 7919n),
      severity: SEVERITY[f.severity] ?? 'info',
      confidence: f.state === 'false_positive' ? 'false_positive' : f.severity === 'INFO' ? 'tentative' : 'certain',
      path: `/${(f.filePath ?? f.id).replace(/^\/+/, '')}`,
      origin: 'https://shop.example.com',
      novelty: 'first',
      accepted_risk: f.state === 'risk_accepted',
      description_html: f.description ? `<p>${f.description.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>` : null,
      remediation_html: null,
      issue_type: {
        type_index: typeIndex,
        name: f.title,
        description_html: '<p>Issue background: the application &amp; its users are at risk.</p>',
        remediation_html: '<ul><li>Validate input.</li><li>Encode output.</li></ul>',
        references_html: '<ul><li><a href="https://owasp.org/www-community/attacks/">OWASP</a></li></ul>',
        vulnerability_classifications_html: f.cwe ? `<ul><li><a href="https://cwe.mitre.org/data/definitions/${f.cwe}.html">CWE-${f.cwe}: Weakness</a></li><li><a href="https://cwe.mitre.org/data/definitions/20.html">CWE-20: Improper Input Validation</a></li></ul>` : '',
      },
    };
  };

  const handle = (req: FakeRequest): FakeReply => {
    if (req.url.pathname !== '/graphql/v1') return { status: 404, body: '<html><body>Not found</body></html>' };
    if (req.method !== 'POST') return { status: 405, body: 'Method not allowed' };
    // ⚠️ PortSwigger documents the header, not the exact rejection: an unknown key is refused before GraphQL runs
    if (req.headers.authorization !== API_KEY) return gqlError('Unauthorized: the API key is invalid', 401);
    let payload: any;
    try { payload = JSON.parse(req.body); } catch { return gqlError('Invalid JSON payload', 400); }
    const query = String(payload?.query ?? '');
    const vars = payload?.variables ?? {};
    const op = /^\s*query\s+([A-Za-z_]\w*)/.exec(query);
    if (!op) return gqlError('Query and mutation names are required');
    if (!fingerprints && /\bfingerprint\b/.test(query)) return gqlError("Validation error of type FieldUndefined: Field 'fingerprint' in type 'Issue' is undefined @ 'scan/issues/fingerprint'");

    if (/\bsite_tree\b/.test(query)) {
      const list = sites.map((s) => ({ id: s.key, name: s.name, parent_id: FOLDER.id, ephemeral: ephemeral.has(s.key), scope_v2: { start_urls: [`https://${s.name}.example.com/`] } }));
      return { body: { data: { site_tree: { sites: fake.loopingPagination ? [...list, ...list] : list, folders: [FOLDER] } } } };
    }
    if (/\bscans\s*\(/.test(query)) {
      const site = String(vars.siteId ?? '');
      if (!/scan_status:\s*\[\s*succeeded\s*\]/.test(query)) return gqlError('test fake: expected a scan_status filter');
      if (!sites.some((s) => s.key === site)) return { body: { data: { scans: [] } } };
      if (!findings.has(site)) return { body: { data: { scans: [] } } };
      const scan = scanOf(site);
      return { body: { data: { scans: [{ id: scan.id, status: 'succeeded', start_time: '2025-03-04T05:06:07.000Z', end_time: '2025-03-04T06:00:00.000Z' }] } } };
    }
    if (/\bscan\s*\(/.test(query)) {
      const scanId = String(vars.scanId ?? '');
      const site = [...findings.keys()].find((k) => scanOf(k).id === scanId);
      if (site === undefined) return { body: { data: { scan: null }, errors: [{ message: `Scan ${scanId} not found`, extensions: { code: 37 } }] } };
      const start = fake.loopingPagination ? 0 : Number(vars.start ?? 0);
      const count = Math.min(Number(vars.count ?? 100), fake.pageSizeCap);
      if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 1) return gqlError('start and count must be non-negative integers');
      const all = findings.get(site)!.map(issueJson);
      return { body: { data: { scan: { id: scanId, issues: all.slice(start, start + count) } } } };
    }
    return gqlError('test fake: unsupported query');
  };

  const fake = await startHttpFake(handle, { pageSizeCap: 1000 });
  return {
    ...fakeControls(fake),
    kind: 'burp-enterprise',
    url: fake.url,
    token: API_KEY,
    options: {},
    // Burp site ids are numeric strings
    projectKey: (n) => String(10 + n),
    setProjects(list) { sites = [...list]; },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    setFingerprints(on) { fingerprints = on; },
    setEphemeral(keys) { ephemeral = new Set(keys); },
  };
}
