// Snyk REST issues (JSON:API `data[]`) → NormalizedFinding (mapping: research/connectors.md §6,
// DefectDojo's snyk_issue_api parser).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { firstText, list, parseCwe, parseDate } from './vendor-values.ts';

const SEVERITIES: Record<string, Severity> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };
const FIX_FLAGS = ['is_fixable_snyk', 'is_fixable_upstream', 'is_fixable_manually', 'is_upgradeable', 'is_patchable', 'is_pinnable'];

export function normalizeIssue(issue: any): NormalizedFinding {
  const a = issue?.attributes ?? {};
  const coordinates: any[] = list(a.coordinates);
  const representations: any[] = coordinates.flatMap((c) => list(c?.representations));
  const dependency = representations.find((r) => r?.dependency)?.dependency;
  const source = representations.find((r) => r?.sourceLocation)?.sourceLocation;
  const cwes = list(a.classes).filter((c: any) => String(c?.source).toUpperCase() === 'CWE').map((c: any) => parseCwe(c.id))
    .filter((n: number | null): n is number => n !== null);
  const severities: any[] = list(a.severities);
  // Snyk's own assessment first (it already weighs exploit maturity), then any scored source; a
  // v4.0 vector is kept apart from the v3 score
  const scored = (version: RegExp) => (s: any) => typeof s?.score === 'number' && version.test(String(s.vector ?? s.version ?? ''));
  const byVersion = (version: RegExp) => severities.find((s) => s?.source === 'Snyk' && scored(version)(s)) ?? severities.find(scored(version));
  const cvss = byVersion(/^(CVSS:)?3/) ?? severities.find((s) => typeof s?.score === 'number' && !/^(CVSS:)?4/.test(String(s.vector ?? s.version ?? '')));
  const cvss4 = byVersion(/^(CVSS:)?4/);
  const resolved = a.status === 'resolved';
  const line = source?.region?.start?.line;
  return {
    title: firstText(a.title, a.key) ?? 'Snyk issue',
    severity: SEVERITIES[String(a.effective_severity_level ?? '').toLowerCase()] ?? 'INFO',
    description: a.description ?? undefined,
    uniqueIdFromTool: issue?.id ?? null,
    vulnIdFromTool: a.key ?? null,
    filePath: source?.file ?? null,
    line: Number.isInteger(line) && line > 0 ? line : null,
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: [...new Set(list(a.problems)
      .map((p: any) => String(p?.id ?? ''))
      .filter((id: string) => /^(CVE|GHSA)-/i.test(id)))] as string[],
    componentName: dependency?.package_name ?? null,
    componentVersion: dependency?.package_version ?? null,
    cvssScore: cvss?.score ?? null,
    cvssVector: cvss?.vector ?? null,
    cvssV4Score: cvss4?.score ?? null,
    cvssV4Vector: cvss4?.vector ?? null,
    toolName: 'Snyk',
    fixAvailable: coordinates.some((c) => FIX_FLAGS.some((f) => c?.[f] === true)),
    references: list(a.problems).map((p: any) => p?.url).filter(Boolean).join('\n') || null,
    service: null,
    staticFinding: true,
    dynamicFinding: false,
    date: parseDate(a.created_at),
    // an ignore is Snyk's only "do not report" switch (its reason is not in this API): DefectDojo
    // maps it to false positive, and so do we
    falsePositive: a.ignored === true,
    dismissed: a.ignored === true,
    mitigated: resolved,
    mitigatedAt: resolved ? parseDate(a.resolution?.resolved_at) : null,
  };
}
