// GitHub code-scanning and Dependabot alerts → NormalizedFinding (field mapping: research/connectors.md §3).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { firstText, list, parseCwe, parseDate, vendorObject } from './vendor-values.ts';

const LEVELS: Record<string, Severity> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', moderate: 'MEDIUM', low: 'LOW' };
// rule.severity is the SARIF level, used only when the rule has no security_severity_level
const SARIF_LEVELS: Record<string, Severity> = { error: 'HIGH', warning: 'MEDIUM', note: 'LOW', none: 'INFO' };

/*
 * Alert numbers are per repository and the two alert types number independently (code-scanning #4
 * and Dependabot #4 are different alerts), while several repositories of one connector may map to
 * the same Product and so share one Test: the id carries the repository id and the alert type.
 */
export function alertUid(repoId: string, type: 'code-scanning' | 'dependabot', number: unknown): string {
  return `${repoId}/${type}/${number}`;
}

export function normalizeCodeScanningAlert(repoId: string, item: unknown): NormalizedFinding {
  const a = vendorObject(item, 'a GitHub code-scanning alert');
  const rule = a.rule ?? {};
  const instance = a.most_recent_instance ?? {};
  const location = instance.location ?? {};
  const cwes = list(rule.tags).filter((t: unknown) => /^external\/cwe\/cwe-\d+$/i.test(String(t))).map(parseCwe)
    .filter((n: number | null): n is number => n !== null);
  const dismissed = a.state === 'dismissed';
  const reason = dismissed ? String(a.dismissed_reason ?? '').toLowerCase() : '';
  const fixed = a.state === 'fixed' || a.state === 'closed';
  // GitHub marks code that is not production code: test, generated, library, documentation
  const classification = (Array.isArray(instance.classifications) ? instance.classifications : [])
    .map((c: unknown) => String(c).toLowerCase()).find((c: string) => OUT_OF_SCOPE_CLASSES.has(c)) ?? null;
  return {
    title: firstText(rule.description, rule.name, rule.id) ?? `Code scanning alert ${a.number}`,
    severity: LEVELS[String(rule.security_severity_level ?? '').toLowerCase()] ?? SARIF_LEVELS[String(rule.severity ?? '').toLowerCase()] ?? 'INFO',
    description: joinText([instance.message?.text, rule.full_description, a.dismissed_comment && `Dismissal comment: ${a.dismissed_comment}`]),
    uniqueIdFromTool: alertUid(repoId, 'code-scanning', a.number),
    vulnIdFromTool: rule.id ?? null,
    filePath: location.path ?? null,
    line: Number.isInteger(location.start_line) ? location.start_line : null,
    endLine: Number.isInteger(location.end_line) ? location.end_line : null,
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: [],
    toolName: a.tool?.name ?? null,
    toolVersion: a.tool?.version ?? null,
    codeClassification: classification,
    mitigation: rule.help ?? null,
    vendorUrl: a.html_url ?? null,
    service: null,
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(a.created_at),
    falsePositive: reason === 'false positive',
    riskAccepted: reason === "won't fix",
    outOfScope: reason === 'used in tests' || classification !== null,
    ...dismissal(a, dismissed),
    mitigated: fixed,
    mitigatedAt: fixed ? parseDate(a.fixed_at) : null,
  };
}

const OUT_OF_SCOPE_CLASSES = new Set(['test', 'generated', 'library', 'documentation']);

/** who dismissed the alert on GitHub, when, and why (the reason word and the analyst's comment) */
function dismissal(a: any, dismissed: boolean): Pick<NormalizedFinding, 'dismissed' | 'dismissedBy' | 'dismissedAt' | 'dismissedReason'> {
  if (!dismissed) return { dismissed: false };
  const reason = [a.dismissed_reason, a.dismissed_comment].filter((p) => typeof p === 'string' && p.trim() !== '').join(': ');
  return { dismissed: true, dismissedBy: a.dismissed_by?.login ?? null, dismissedAt: parseDate(a.dismissed_at ?? a.auto_dismissed_at), dismissedReason: reason || null };
}

/** a number GitHub may send as a string ("0.16001e0") */
function score(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function normalizeDependabotAlert(repoId: string, item: unknown): NormalizedFinding {
  const a = vendorObject(item, 'a GitHub Dependabot alert');
  const advisory = a.security_advisory ?? {};
  const vulnerability = a.security_vulnerability ?? {};
  const reason = a.state === 'dismissed' ? String(a.dismissed_reason ?? '') : '';
  const fixVersion = vulnerability.first_patched_version?.identifier ?? null;
  const v3 = [advisory.cvss_severities?.cvss_v3, advisory.cvss]
    .find((c) => c && typeof c.score === 'number' && c.score > 0 && /^CVSS:3/.test(String(c.vector_string)));
  const v4 = advisory.cvss_severities?.cvss_v4;
  const hasV4 = v4 && typeof v4.score === 'number' && v4.score > 0 && v4.vector_string;
  const epss = Array.isArray(advisory.epss) ? advisory.epss[0] : advisory.epss;
  const cwes = list(advisory.cwes).map((c: any) => parseCwe(c?.cwe_id)).filter((n: number | null): n is number => n !== null);
  const dismissed = a.state === 'dismissed' || a.state === 'auto_dismissed';
  const ids = [advisory.cve_id, advisory.ghsa_id, ...list(advisory.identifiers).map((i: any) => i?.value)]
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  return {
    title: firstText(advisory.summary) ?? `Dependabot alert ${a.number}`,
    severity: LEVELS[String(advisory.severity ?? vulnerability.severity ?? '').toLowerCase()] ?? 'INFO',
    description: joinText([advisory.description, vulnerability.vulnerable_version_range && `Vulnerable versions: ${vulnerability.vulnerable_version_range}`]),
    uniqueIdFromTool: alertUid(repoId, 'dependabot', a.number),
    vulnIdFromTool: advisory.ghsa_id ?? null,
    filePath: a.dependency?.manifest_path ?? null,
    line: null,
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: [...new Set(ids)],
    componentName: vulnerability.package?.name ?? a.dependency?.package?.name ?? null,
    // GitHub reports the vulnerable range, never the installed version
    componentVersion: null,
    fixAvailable: fixVersion !== null,
    fixVersion,
    cvssScore: v3?.score ?? null,
    cvssVector: v3?.vector_string ?? null,
    cvssV4Score: hasV4 ? v4.score : null,
    cvssV4Vector: hasV4 ? v4.vector_string : null,
    epssScore: score(epss?.percentage),
    epssPercentile: score(epss?.percentile),
    toolName: 'Dependabot',
    references: list(advisory.references).map((r: any) => r?.url).filter(Boolean).join('\n') || null,
    vendorUrl: a.html_url ?? null,
    service: null,
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(a.created_at),
    falsePositive: reason === 'inaccurate',
    // an auto-dismissal is the organisation's own triage rule accepting low-impact alerts
    riskAccepted: reason === 'tolerable_risk' || reason === 'no_bandwidth' || a.state === 'auto_dismissed',
    outOfScope: reason === 'not_used',
    ...dismissal(a, dismissed),
    mitigated: a.state === 'fixed',
    mitigatedAt: a.state === 'fixed' ? parseDate(a.fixed_at) : null,
  };
}

function joinText(parts: unknown[]): string | undefined {
  const text = parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0).join('\n\n');
  return text || undefined;
}
