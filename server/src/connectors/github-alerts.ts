// GitHub code-scanning and Dependabot alerts → NormalizedFinding (field mapping: research/connectors.md §3).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseCwe, parseDate } from './vendor-values.ts';

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

export function normalizeCodeScanningAlert(repoId: string, a: any): NormalizedFinding {
  const rule = a.rule ?? {};
  const instance = a.most_recent_instance ?? {};
  const location = instance.location ?? {};
  const cweTag = (rule.tags ?? []).find((t: string) => /^external\/cwe\/cwe-\d+$/i.test(t));
  const reason = a.state === 'dismissed' ? String(a.dismissed_reason ?? '').toLowerCase() : '';
  const fixed = a.state === 'fixed' || a.state === 'closed';
  return {
    title: rule.description || rule.name || rule.id || `Code scanning alert ${a.number}`,
    severity: LEVELS[String(rule.security_severity_level ?? '').toLowerCase()] ?? SARIF_LEVELS[String(rule.severity ?? '').toLowerCase()] ?? 'INFO',
    description: joinText([instance.message?.text, rule.full_description, a.dismissed_comment && `Dismissal comment: ${a.dismissed_comment}`]),
    uniqueIdFromTool: alertUid(repoId, 'code-scanning', a.number),
    vulnIdFromTool: rule.id ?? null,
    filePath: location.path ?? null,
    line: Number.isInteger(location.start_line) ? location.start_line : null,
    cwe: cweTag ? parseCwe(cweTag) : null,
    vulnerabilityIds: [],
    mitigation: rule.help ?? null,
    vendorUrl: a.html_url ?? null,
    service: null,
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(a.created_at),
    falsePositive: reason === 'false positive',
    riskAccepted: reason === "won't fix",
    outOfScope: reason === 'used in tests',
    mitigated: fixed,
    mitigatedAt: fixed ? parseDate(a.fixed_at) : null,
  };
}

export function normalizeDependabotAlert(repoId: string, a: any): NormalizedFinding {
  const advisory = a.security_advisory ?? {};
  const vulnerability = a.security_vulnerability ?? {};
  const reason = a.state === 'dismissed' ? String(a.dismissed_reason ?? '') : '';
  const fixVersion = vulnerability.first_patched_version?.identifier ?? null;
  const cvss = [advisory.cvss_severities?.cvss_v3, advisory.cvss_severities?.cvss_v4, advisory.cvss]
    .find((c) => c && typeof c.score === 'number' && c.score > 0 && c.vector_string);
  const ids = [advisory.cve_id, advisory.ghsa_id, ...(advisory.identifiers ?? []).map((i: any) => i?.value)]
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  return {
    title: advisory.summary || `Dependabot alert ${a.number}`,
    severity: LEVELS[String(advisory.severity ?? vulnerability.severity ?? '').toLowerCase()] ?? 'INFO',
    description: joinText([advisory.description, vulnerability.vulnerable_version_range && `Vulnerable versions: ${vulnerability.vulnerable_version_range}`]),
    uniqueIdFromTool: alertUid(repoId, 'dependabot', a.number),
    vulnIdFromTool: advisory.ghsa_id ?? null,
    filePath: a.dependency?.manifest_path ?? null,
    line: null,
    cwe: parseCwe(advisory.cwes?.[0]?.cwe_id),
    vulnerabilityIds: [...new Set(ids)],
    componentName: vulnerability.package?.name ?? a.dependency?.package?.name ?? null,
    // GitHub reports the vulnerable range, never the installed version
    componentVersion: null,
    fixAvailable: fixVersion !== null,
    fixVersion,
    cvssScore: cvss?.score ?? null,
    cvssVector: cvss?.vector_string ?? null,
    epssScore: typeof advisory.epss?.percentage === 'number' ? advisory.epss.percentage : null,
    references: (advisory.references ?? []).map((r: any) => r?.url).filter(Boolean).join('\n') || null,
    vendorUrl: a.html_url ?? null,
    service: null,
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(a.created_at),
    falsePositive: reason === 'inaccurate',
    // an auto-dismissal is the organisation's own triage rule accepting low-impact alerts
    riskAccepted: reason === 'tolerable_risk' || reason === 'no_bandwidth' || a.state === 'auto_dismissed',
    outOfScope: reason === 'not_used',
    mitigated: a.state === 'fixed',
    mitigatedAt: a.state === 'fixed' ? parseDate(a.fixed_at) : null,
  };
}

function joinText(parts: unknown[]): string | undefined {
  const text = parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0).join('\n\n');
  return text || undefined;
}
