// DefectDojo API v2 finding → NormalizedFinding. DefectDojo's Finding model is the shape ours was
// drawn from, so most fields carry over one to one; the status flags map to ours, and what the
// flags leave out (inactive for no stated reason) is recorded as mitigated, as DefectDojo shows it.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseDate, vendorObject } from './vendor-values.ts';

const SEVERITIES: Record<string, Severity> = {
  critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO', informational: 'INFO',
};

const num = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

export function normalizeDojoFinding(item: unknown, baseUrl: string): NormalizedFinding {
  const f = vendorObject(item, 'a DefectDojo finding');
  const falsePositive = f.false_p === true;
  const riskAccepted = f.risk_accepted === true;
  const outOfScope = f.out_of_scope === true;
  // is_mitigated is DefectDojo's "fixed"; a finding made inactive by hand with no other flag is
  // shown as "Inactive" there and is closed here (it is not open work any more)
  const mitigated = f.is_mitigated === true || (f.active === false && !falsePositive && !riskAccepted && !outOfScope);
  const dismissed = falsePositive || riskAccepted || outOfScope;
  const cwe = num(f.cwe);
  const testType = f.related_fields?.test?.test_type?.name;
  const acceptance = Array.isArray(f.accepted_risks) ? f.accepted_risks[0] : undefined;
  return {
    title: text(f.title) ?? `DefectDojo finding ${f.id}`,
    severity: SEVERITIES[String(f.severity ?? '').toLowerCase()] ?? 'INFO',
    description: text(f.description) ?? undefined,
    mitigation: text(f.mitigation),
    references: text(f.references),
    uniqueIdFromTool: String(f.id),
    vulnIdFromTool: text(f.vuln_id_from_tool),
    filePath: text(f.file_path),
    line: Number.isInteger(f.line) && f.line > 0 ? f.line : null,
    // DefectDojo stores "no CWE" as 0
    cwe: cwe && cwe > 0 ? cwe : null,
    vulnerabilityIds: (Array.isArray(f.vulnerability_ids) ? f.vulnerability_ids : [])
      .map((v: any) => (typeof v === 'string' ? v : v?.vulnerability_id))
      .filter((id: unknown): id is string => typeof id === 'string' && !!id.trim()),
    componentName: text(f.component_name),
    componentVersion: text(f.component_version),
    cvssScore: num(f.cvssv3_score),
    cvssVector: text(f.cvssv3),
    // 2.4x added CVSS v4 beside v3; older instances simply do not send the fields
    cvssV4Score: num(f.cvssv4_score),
    cvssV4Vector: text(f.cvssv4),
    epssScore: num(f.epss_score),
    epssPercentile: num(f.epss_percentile),
    knownExploited: typeof f.known_exploited === 'boolean' ? f.known_exploited : null,
    fixAvailable: typeof f.fix_available === 'boolean' ? f.fix_available : null,
    fixVersion: text(f.fix_version),
    vendorUrl: `${baseUrl}/finding/${f.id}`,
    // the scanner DefectDojo imported it from ("Trivy Scan", "ZAP Scan" …)
    toolName: typeof testType === 'string' ? testType : null,
    staticFinding: f.static_finding === true,
    dynamicFinding: f.dynamic_finding === true,
    date: parseDate(f.date),
    verified: f.verified === true,
    falsePositive,
    riskAccepted,
    outOfScope,
    mitigated,
    mitigatedAt: mitigated ? parseDate(f.mitigated) : null,
    dismissed,
    dismissedAt: dismissed ? parseDate(acceptance?.created ?? f.last_status_update) : null,
    dismissedReason: dismissed
      ? [falsePositive && 'false positive', riskAccepted && 'risk accepted', outOfScope && 'out of scope', text(acceptance?.name), text(acceptance?.decision_details)]
        .filter(Boolean).join('; ')
      : null,
  };
}
