// OWASP Dependency-Track 4.x (v5 keeps /api/v1): projects are the VEPs, the component ×
// vulnerability findings of a project are the findings (research/connectors.md §2).
import { joinUrl } from './http.ts';
import { isSeverity, severityFromCvss, type Severity } from '../severity.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { vendorObject } from './vendor-values.ts';

// DT has no page-size maximum; 100 keeps each project page well under a megabyte.
const PROJECT_PAGE_SIZE = 100;
// the finding list is one unpaginated answer; it is handed on in slices this big
const FINDING_SLICE = 500;

export const dependencyTrackKind: ConnectorKind = {
  id: 'dependency-track',
  label: 'OWASP Dependency-Track',
  fields: [
    { name: 'url', label: 'API server URL', type: 'url', required: true, secret: false, help: 'The API server root, e.g. http://dtrack:8081 (not the frontend); the API is under /api/v1/' },
    { name: 'secret', label: 'API key', type: 'password', required: true, secret: true, help: 'A team API key with VIEW_PORTFOLIO and VIEW_VULNERABILITY' },
  ],
  // `matrix` (project:component:vulnerability UUIDs) is stable while a component lives, but DT
  // before 4.11 re-created components on every BOM upload, minting new UUIDs; the hash on
  // DefectDojo's Dependency Track fields keeps those findings matched instead of close + new.
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['component_name', 'component_version', 'vulnerability_ids'] },

  async testConnection(ctx) {
    const { data: about } = await ctx.http.json<{ version?: string }>(joinUrl(ctx.config.url, 'api/version'), {}, ctx.signal);
    const { response } = await ctx.http.json(joinUrl(ctx.config.url, 'api/v1/project', { pageNumber: 1, pageSize: 1 }), { headers: auth(ctx) }, ctx.signal);
    const total = response.headers.get('x-total-count');
    return `Connected to Dependency-Track ${about?.version ?? '(unknown version)'}; the API key sees ${total ?? 'an unknown number of'} projects`;
  },

  async *discover(ctx): AsyncIterable<Vep> {
    const seen = new Set<string>();
    for (let pageNumber = 1; ; pageNumber++) {
      const { data, response } = await ctx.http.json<Array<Record<string, any>>>(
        joinUrl(ctx.config.url, 'api/v1/project', { pageNumber, pageSize: PROJECT_PAGE_SIZE, sortName: 'name', sortOrder: 'asc' }),
        { headers: auth(ctx) },
        ctx.signal,
      );
      if (!Array.isArray(data)) ctx.http.fail('Dependency-Track answered /api/v1/project with something other than a JSON array');
      const total = totalCount(ctx, response.headers);
      for (const p of data) {
        const key = String(vendorObject(p, 'a Dependency-Track project').uuid ?? '');
        if (!key) ctx.http.fail('Dependency-Track listed a project without a uuid');
        if (seen.has(key)) ctx.http.fail(`Dependency-Track listed project ${key} twice while paging: the pagination loops`);
        seen.add(key);
        yield {
          key,
          name: p.version ? `${p.name} ${p.version}` : String(p.name ?? key),
          metadata: { active: p.active !== false, classifier: p.classifier ?? null, lastBomImport: typeof p.lastBomImport === 'number' ? new Date(p.lastBomImport).toISOString() : null },
        };
      }
      if (seen.size >= total) return;
      if (!data.length) ctx.http.fail(`Dependency-Track sent an empty page ${pageNumber} after ${seen.size} of ${total} projects`);
    }
  },

  async *fetchFindings(ctx, vep): AsyncIterable<NormalizedFinding[]> {
    // suppressed findings are left out unless asked for: without them a vendor-side false
    // positive would look "absent" and be closed instead of flagged
    const { data, response } = await ctx.http.json<Array<Record<string, any>>>(
      joinUrl(ctx.config.url, `api/v1/finding/project/${encodeURIComponent(vep.key)}`, { suppressed: true }),
      { headers: auth(ctx) },
      ctx.signal,
    );
    if (!Array.isArray(data)) ctx.http.fail(`Dependency-Track answered the findings of ${vep.key} with something other than a JSON array`);
    const header = response.headers.get('x-total-count');
    if (header !== null && Number(header) !== data.length) ctx.http.fail(`Dependency-Track announced ${header} findings for ${vep.key} but sent ${data.length}`);
    const findings = data.map(normalizeFinding);
    for (let i = 0; i < findings.length; i += FINDING_SLICE) yield findings.slice(i, i + FINDING_SLICE);
  },
};

function auth(ctx: KindContext): Record<string, string> {
  return { 'x-api-key': ctx.config.secret ?? '' };
}

function totalCount(ctx: KindContext, headers: Headers): number {
  const total = Number(headers.get('x-total-count'));
  if (headers.get('x-total-count') === null || !Number.isInteger(total) || total < 0) ctx.http.fail('Dependency-Track answered without an X-Total-Count header, so the listing cannot be known complete');
  return total;
}

export function normalizeFinding(item: unknown): NormalizedFinding {
  const f = vendorObject(item, 'a Dependency-Track finding');
  const component = f.component ?? {};
  const vuln = f.vulnerability ?? {};
  const analysis = f.analysis ?? {};
  const state = analysis.state as string | undefined;
  // NOT_AFFECTED is DT's VEX "does not apply here": for a findings list that is a false positive
  const falsePositive = state === 'FALSE_POSITIVE' || state === 'NOT_AFFECTED';
  const mitigated = state === 'RESOLVED';
  const componentName = component.group ? `${component.group}:${component.name}` : component.name ?? null;
  const v3 = typeof vuln.cvssV3BaseScore === 'number' ? vuln.cvssV3BaseScore : null;
  const v4 = typeof vuln.cvssV4Score === 'number' ? vuln.cvssV4Score : null;
  const v2 = typeof vuln.cvssV2BaseScore === 'number' ? vuln.cvssV2BaseScore : null;
  // DT >= 4.5 sends `cwes`; `cweId` is its first, kept for older servers
  const cwes = (Array.isArray(vuln.cwes) ? vuln.cwes : []).map((c: any) => c?.cweId).filter((n: unknown): n is number => typeof n === 'number' && n > 0);
  if (cwes.length === 0 && typeof vuln.cweId === 'number' && vuln.cweId > 0) cwes.push(vuln.cweId);
  const suppressed = analysis.isSuppressed === true;
  return {
    // DefectDojo's Dependency Track title; a component without a version (DT allows it) is named alone
    title: `${component.name}${component.version ? `:${component.version}` : ''} affected by: ${vuln.vulnId} (${vuln.source})`,
    severity: severityOf(vuln.severity, v3 ?? v4 ?? v2),
    description: [vuln.title, vuln.subtitle, vuln.description].filter(Boolean).join('\n\n') || `${vuln.vulnId} in ${componentName}`,
    mitigation: vuln.recommendation ?? null,
    uniqueIdFromTool: f.matrix ?? null,
    vulnIdFromTool: vuln.vulnId ?? null,
    vulnerabilityIds: vulnerabilityIds(vuln),
    cwe: cwes[0] ?? null,
    cwes,
    componentName,
    componentVersion: component.version ?? null,
    // DT has no file; DefectDojo puts the purl here so the finding points at the dependency
    filePath: component.purl ?? null,
    cvssScore: v3,
    cvssVector: v3 !== null ? vuln.cvssV3Vector ?? null : null,
    cvssV4Score: v4,
    cvssV4Vector: v4 !== null ? vuln.cvssV4Vector ?? null : null,
    epssScore: typeof vuln.epssScore === 'number' ? vuln.epssScore : null,
    epssPercentile: typeof vuln.epssPercentile === 'number' ? vuln.epssPercentile : null,
    references: f.attribution?.referenceUrl ?? null,
    // DT's findings response (model/Finding.java) carries no fixed or patched version: the fix is in
    // `recommendation` (mitigation) at best. Left empty rather than guessed.
    fixVersion: null,
    fixAvailable: null,
    toolName: 'Dependency-Track',
    staticFinding: true,
    dynamicFinding: false,
    date: typeof f.attribution?.attributedOn === 'number' ? new Date(f.attribution.attributedOn) : null,
    falsePositive,
    // suppressed without saying "false positive" or "resolved" = someone accepted it
    riskAccepted: analysis.isSuppressed === true && !falsePositive && !mitigated,
    verified: state === 'EXPLOITABLE',
    // the findings response has the analysis state and the suppression, not who made it or when
    dismissed: suppressed,
    dismissedReason: suppressed && state ? state : null,
    mitigated,
    mitigatedAt: null,
  };
}

function severityOf(severity: unknown, cvssScore: number | null): Severity {
  if (isSeverity(severity)) return severity;
  // UNASSIGNED: fall back to the CVSS qualitative scale
  return cvssScore === null ? 'INFO' : severityFromCvss(cvssScore);
}

function vulnerabilityIds(vuln: Record<string, any>): string[] {
  const ids = [vuln.vulnId];
  for (const alias of Array.isArray(vuln.aliases) ? vuln.aliases : []) {
    for (const field of ['cveId', 'ghsaId', 'osvId', 'snykId', 'sonatypeId', 'gsdId', 'vulnDbId']) ids.push(alias?.[field]);
  }
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && !!id))];
}
