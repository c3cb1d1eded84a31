// Harbor's vulnerability report (`application/vnd.security.vulnerability.report; version=1.1`, the
// scanner-neutral format Trivy and other adapters write; harbor src/pkg/scan/vuln/report.go) →
// NormalizedFinding. Title and mitigation follow DefectDojo's Harbor parser, which its hash reads.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseCwe, parseDate } from './vendor-values.ts';

export const REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';

// Harbor's scale (vuln.Severity); Negligible and Unknown are DefectDojo's Info
const SEVERITIES: Record<string, Severity> = {
  critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', negligible: 'INFO', unknown: 'INFO', none: 'INFO',
};

export interface ArtifactRef {
  /** "project/repository" */
  repository: string;
  digest: string;
  tags: string[];
  webUrl: string;
}

/** The report's findings; `fail` throws on a report that cannot be read (never returns). */
export function normalizeHarborReport(body: Record<string, any>, artifact: ArtifactRef, fail: (message: string) => never): NormalizedFinding[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail('the vulnerabilities addition is not a JSON object');
  // keyed by the report's MIME type; the scanner-adapter's native format has the same item shape
  const report = body[REPORT_MIME] ?? Object.values(body).find((r: any) => r && Array.isArray(r.vulnerabilities));
  // an artifact scanned clean is `{}` or a report without vulnerabilities
  if (!report) return [];
  if (report.vulnerabilities !== null && report.vulnerabilities !== undefined && !Array.isArray(report.vulnerabilities)) fail('the report\'s vulnerabilities is not a list');
  const scanner = report.scanner ?? {};
  const scannedAt = parseDate(report.generated_at);
  return (report.vulnerabilities ?? []).map((v: any): NormalizedFinding => {
    const id = String(v?.id ?? '');
    const cvss = v?.preferred_cvss ?? {};
    const cwes = (Array.isArray(v?.cwe_ids) ? v.cwe_ids : []).map(parseCwe).filter((n: number | null): n is number => n !== null);
    const links: string[] = Array.isArray(v?.links) ? v.links.filter((l: unknown) => typeof l === 'string') : [];
    return {
      title: `${id} - ${v?.package} (${v?.version})`,
      severity: SEVERITIES[String(v?.severity ?? '').toLowerCase()] ?? 'INFO',
      description: v?.description || `${id} in ${v?.package} ${v?.version}`,
      mitigation: v?.fix_version ? `Upgrade ${v.package} to version ${v.fix_version}` : null,
      references: links.join('\n') || null,
      // Harbor's own item key (id-package-version), within the repository
      uniqueIdFromTool: `${artifact.repository}|${id}|${v?.package}|${v?.version}`,
      vulnIdFromTool: id || null,
      vulnerabilityIds: /^(CVE|GHSA)-/i.test(id) ? [id] : [],
      filePath: artifact.repository,
      componentName: v?.package ?? null,
      componentVersion: v?.version ?? null,
      fixVersion: v?.fix_version || null,
      fixAvailable: v?.fix_version ? true : null,
      cwes,
      cwe: cwes[0] ?? null,
      cvssScore: typeof cvss.score_v3 === 'number' ? cvss.score_v3 : null,
      cvssVector: cvss.vector_v3 || null,
      vendorUrl: artifact.webUrl,
      toolName: scanner.name ?? null,
      toolVersion: scanner.version ?? null,
      staticFinding: true,
      dynamicFinding: false,
      date: scannedAt,
    };
  });
}
