// An in-memory DefectDojo (API v2, Django REST framework) written from its OpenAPI schema: `Token`
// auth (DRF's 401 bodies: "Invalid token." / "Authentication credentials were not provided."),
// LimitOffsetPagination envelopes {count, next, previous, results} with absolute next/previous URLs
// (DRF builds them from the request's host), DRF's throttling answer (429 + Retry-After), and the
// findings filter `test__engagement__product`. Product keys are DefectDojo's integer ids.
import type { FakeFinding, FakeTool, FakeVep } from './fake.ts';
import { fakeControls, startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';
import { Numbering } from './vendor-ids.ts';

const TOKEN = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';
/** finding n was found on this date plus n days */
export const DOJO_EPOCH = Date.UTC(2024, 4, 1);
const CVSS: Record<string, [number, string] | undefined> = {
  CRITICAL: [9.8, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
  HIGH: [7.5, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H'],
  MEDIUM: [5.3, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'],
};
const SEVERITY: Record<string, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', INFO: 'Info' };
const NUMERICAL: Record<string, string> = { CRITICAL: 'S0', HIGH: 'S1', MEDIUM: 'S2', LOW: 'S3', INFO: 'S4' };

export interface DefectDojoFake extends FakeTool {
  /** adds a finding DefectDojo marked as a duplicate of `of` (same product) */
  addDuplicate(vepKey: string, finding: FakeFinding, of: string): void;
}

export async function startDefectDojoFake(): Promise<DefectDojoFake> {
  let products: FakeVep[] = [];
  const findings = new Map<string, Array<FakeFinding & { duplicateOf?: string }>>();
  const ids = new Numbering();
  let nextOrigin: string | null = null;

  const http = await startHttpFake((req) => route(req), { pageSizeCap: 1000 });

  function route(req: FakeRequest): FakeReply {
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, headers: { 'www-authenticate': 'Token' }, body: { detail: 'Authentication credentials were not provided.' } };
    if (!/^Token /.test(auth) || auth.slice('Token '.length) !== TOKEN) return { status: 401, headers: { 'www-authenticate': 'Token' }, body: { detail: 'Invalid token.' } };
    if (req.method !== 'GET') return { status: 405, body: { detail: `Method "${req.method}" not allowed.` } };
    const path = req.url.pathname;
    if (path === '/api/v2/products/') return page(req, products.map(renderProduct));
    if (path === '/api/v2/findings/') {
      const product = req.url.searchParams.get('test__engagement__product');
      if (product !== null && !/^\d+$/.test(product)) return { status: 400, body: { test__engagement__product: ['Enter a number.'] } };
      const keys = product === null ? [...findings.keys()] : [product];
      return page(req, keys.flatMap((k) => (findings.get(k) ?? []).map((f) => renderFinding(k, f, req))));
    }
    if (/^\/api\/v2\/[a-z_]+\/?$/.test(path) && !path.endsWith('/')) return { status: 301, headers: { location: `${path}/${req.url.search}` }, body: '' };
    return { status: 404, body: { detail: 'Not found.' } };
  }

  /** DRF LimitOffsetPagination: default limit 25; next/previous are absolute URLs or null. */
  function page(req: FakeRequest, rows: Array<{ id: number }>): FakeReply {
    const q = req.url.searchParams;
    for (const name of ['limit', 'offset']) {
      if (q.has(name) && !/^\d+$/.test(q.get(name)!)) return { status: 400, body: { detail: `Invalid ${name}.` } };
    }
    if (q.get('o') === 'id') rows.sort((a, b) => a.id - b.id);
    const limit = Math.min(Number(q.get('limit') ?? 25) || 25, http.pageSizeCap);
    const offset = Number(q.get('offset') ?? 0);
    const link = (at: number) => {
      const u = new URL(req.url.pathname + req.url.search, nextOrigin ?? http.url);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set('offset', String(http.loopingPagination ? 0 : at));
      return u.toString();
    };
    return {
      body: {
        count: rows.length,
        next: offset + limit < rows.length ? link(offset + limit) : null,
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
        results: rows.slice(offset, offset + limit),
        prefetch: {},
      },
    };
  }

  function renderFinding(productKey: string, f: FakeFinding & { duplicateOf?: string }, req: FakeRequest) {
    const id = ids.numberFor(`${productKey}/${f.id}`);
    const n = (findings.get(productKey) ?? []).indexOf(f);
    const cvss = CVSS[f.severity];
    const state = f.state ?? 'open';
    const mitigatedAt = state === 'fixed' ? new Date(DOJO_EPOCH + 30 * 86_400_000).toISOString() : null;
    return {
      id,
      tags: [],
      request_response: { req_resp: [] },
      accepted_risks: state === 'risk_accepted'
        ? [{ id: 1, name: 'Accepted until the Q3 upgrade', recommendation: 'F', decision: 'A', decision_details: 'compensating WAF rule', accepted_by: 'security lead', expiration_date: null, owner: 2, created: '2024-06-02T09:00:00.000000Z', updated: '2024-06-02T09:00:00.000000Z', accepted_findings: [id], notes: [] }]
        : [],
      push_to_jira: false,
      age: 42,
      sla_days_remaining: 18,
      finding_meta: [],
      related_fields: req.url.searchParams.get('related_fields') === 'true'
        ? { test: { id: 90 + Number(productKey), title: null, test_type: { id: 80, name: f.componentName ? 'Trivy Scan' : 'Semgrep JSON Report' }, engagement: { id: 70 + Number(productKey), name: 'CI/CD', product: Number(productKey) } }, jira: null }
        : null,
      jira_creation: null,
      jira_change: null,
      display_status: { open: 'Active, Verified', false_positive: 'Inactive, False Positive', risk_accepted: 'Inactive, Risk Accepted', fixed: 'Inactive, Mitigated' }[state],
      finding_groups: [],
      vulnerability_ids: f.cve ? [{ vulnerability_id: f.cve }] : [],
      reporter: 1,
      title: f.title,
      date: new Date(DOJO_EPOCH + n * 86_400_000).toISOString().slice(0, 10),
      sla_start_date: null,
      sla_expiration_date: null,
      cwe: f.cwe ?? 0,
      epss_score: f.cve ? 0.00043 : null,
      epss_percentile: f.cve ? 0.07756 : null,
      known_exploited: false,
      ransomware_used: false,
      kev_date: null,
      cvssv3: cvss?.[1] ?? null,
      cvssv3_score: cvss?.[0] ?? null,
      cvssv4: null,
      cvssv4_score: null,
      url: null,
      severity: SEVERITY[f.severity],
      description: f.description ?? f.title,
      mitigation: f.componentName ? `Upgrade ${f.componentName} to a fixed version.` : null,
      fix_available: f.componentName ? true : null,
      fix_version: f.componentName ? '9.9.9' : null,
      impact: null,
      steps_to_reproduce: null,
      severity_justification: null,
      references: f.cve ? `https://nvd.nist.gov/vuln/detail/${f.cve}` : null,
      active: state === 'open',
      verified: state === 'open',
      false_p: state === 'false_positive',
      duplicate: !!f.duplicateOf,
      out_of_scope: false,
      risk_accepted: state === 'risk_accepted',
      under_review: false,
      last_status_update: '2024-06-02T09:00:00.000000Z',
      under_defect_review: false,
      is_mitigated: state === 'fixed',
      thread_id: 0,
      mitigated: mitigatedAt,
      numerical_severity: NUMERICAL[f.severity],
      last_reviewed: null,
      param: null,
      payload: null,
      hash_code: `${f.id}`.padEnd(64, '0').slice(0, 64),
      line: f.line ?? null,
      file_path: f.filePath ?? null,
      component_name: f.componentName ?? null,
      component_version: f.componentVersion ?? null,
      static_finding: !f.componentName,
      dynamic_finding: false,
      created: '2024-05-01T12:00:00.000000Z',
      scanner_confidence: null,
      unique_id_from_tool: `tool-${f.id}`,
      vuln_id_from_tool: f.cve ?? null,
      sast_source_object: null,
      sast_sink_object: null,
      sast_source_line: null,
      sast_source_file_path: null,
      nb_occurences: null,
      publish_date: null,
      service: null,
      planned_remediation_date: null,
      planned_remediation_version: null,
      effort_for_fixing: null,
      test: 90 + Number(productKey),
      duplicate_finding: f.duplicateOf ? ids.numberFor(`${productKey}/${f.duplicateOf}`) : null,
      review_requested_by: null,
      defect_review_requested_by: null,
      mitigated_by: state === 'fixed' ? 1 : null,
      last_reviewed_by: null,
      sonarqube_issue: null,
      endpoints: [],
      reviewers: [],
      notes: [],
      files: [],
      found_by: [80],
    };
  }

  return {
    ...fakeControls(http),
    kind: 'defectdojo',
    url: http.url,
    token: TOKEN,
    options: {},
    setProjects(list) {
      for (const p of list) if (!/^\d+$/.test(p.key)) throw new Error(`DefectDojo product ids are integers, not ${p.key}`);
      products = [...list];
    },
    setFindings(vepKey, list) { findings.set(vepKey, [...list]); },
    addDuplicate(vepKey, finding, of) { findings.set(vepKey, [...(findings.get(vepKey) ?? []), { ...finding, duplicateOf: of }]); },
    setNextLinkOrigin(origin) { nextOrigin = origin; },
    projectKey: (n) => String(n),
  };
}

function renderProduct(p: FakeVep) {
  const id = Number(p.key);
  return {
    id,
    findings_count: 0,
    findings_list: [],
    tags: [],
    product_meta: [],
    name: p.name,
    description: `${p.name} as DefectDojo knows it`,
    created: '2024-01-10T08:00:00.000000Z',
    prod_numeric_grade: null,
    business_criticality: 'high',
    platform: 'web service',
    lifecycle: 'production',
    origin: 'internal',
    user_records: null,
    revenue: null,
    external_audience: false,
    internet_accessible: true,
    enable_product_tag_inheritance: false,
    enable_simple_risk_acceptance: false,
    enable_full_risk_acceptance: true,
    disable_sla_breach_notifications: false,
    product_manager: null,
    technical_contact: null,
    team_manager: null,
    prod_type: 1,
    sla_configuration: 1,
    members: [],
    authorization_groups: [],
    regulations: [],
  };
}
