// AWS Security Finding Format (ASFF) → NormalizedFinding, after DefectDojo's awssecurityhub parser
// (compliance.py / inspector.py): Severity.Label for severity, Compliance.Status PASSED as fixed,
// Inspector's Vulnerabilities[] for CVEs, packages, CVSS and EPSS.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { firstText, parseCwe, parseDate } from './vendor-values.ts';

const SEVERITIES: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFORMATIONAL: 'INFO' };

/** The console's findings page filtered to this finding's id (Security Hub has no per-finding URL). */
function consoleUrl(id: string, region: string): string {
  const search = encodeURIComponent(`Id=\\operator\\:EQUALS\\:${id}`);
  return `https://${region}.console.aws.amazon.com/securityhub/home?region=${region}#/findings?search=${search}`;
}

export function normalizeAsff(f: any, region: string): NormalizedFinding {
  const vulns: any[] = Array.isArray(f?.Vulnerabilities) ? f.Vulnerabilities : [];
  const vuln = vulns[0] ?? {};
  const pkg = Array.isArray(vuln.VulnerablePackages) ? vuln.VulnerablePackages[0] ?? {} : {};
  const cvssList: any[] = Array.isArray(vuln.Cvss) ? vuln.Cvss : [];
  const cvss3 = cvssList.find((c) => String(c?.Version ?? '').startsWith('3'));
  const cvss4 = cvssList.find((c) => String(c?.Version ?? '').startsWith('4'));
  const code = Array.isArray(vuln.CodeVulnerabilities) ? vuln.CodeVulnerabilities[0] : null;
  const cwes = [...new Set((code?.Cwes ?? []).map(parseCwe).filter((n: number | null): n is number => n !== null))] as number[];
  const resources: any[] = Array.isArray(f?.Resources) ? f.Resources : [];
  const resourceIds = resources.map((r) => r?.Id).filter(Boolean);
  const workflow = String(f?.Workflow?.Status ?? f?.WorkflowState ?? '').toUpperCase();
  const compliance = String(f?.Compliance?.Status ?? '').toUpperCase();
  // a passed control check and a finding resolved in the Workflow are fixed; DefectDojo reads a
  // missing Compliance as PASSED too, which would close every non-control finding: not followed
  const fixed = compliance === 'PASSED' || workflow === 'RESOLVED';
  const suppressed = workflow === 'SUPPRESSED';
  const recommendation = f?.Remediation?.Recommendation ?? {};
  const references = [recommendation.Url, ...(vuln.ReferenceUrls ?? []), vuln.Vendor?.Url, f?.SourceUrl].filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
  const ids = vulns.map((v) => String(v?.Id ?? '')).filter((id) => /^(CVE|GHSA)-/i.test(id));
  const epss = typeof vuln.EpssScore === 'number' ? vuln.EpssScore : null;
  const note = f?.Note;
  const description = [
    f?.Description,
    resourceIds.length ? `Resources: ${resourceIds.join(', ')}` : '',
    `AWS account ${f?.AwsAccountId ?? ''}, region ${f?.Region ?? region}${f?.GeneratorId ? `, generator ${f.GeneratorId}` : ''}`,
  ].filter(Boolean).join('\n\n');
  return {
    title: (firstText(f?.Title, f?.Id) ?? 'Security Hub finding').slice(0, 500),
    severity: SEVERITIES[String(f?.Severity?.Label ?? '').toUpperCase()] ?? 'INFO',
    description,
    // the finding's ARN-like Id is unique per product, account and region and stays for its life
    uniqueIdFromTool: f?.Id ?? null,
    vulnIdFromTool: f?.Compliance?.SecurityControlId ?? f?.GeneratorId ?? null,
    filePath: code?.FilePath?.FilePath ?? pkg.FilePath ?? null,
    line: Number.isInteger(code?.FilePath?.StartLine) ? code.FilePath.StartLine : null,
    endLine: Number.isInteger(code?.FilePath?.EndLine) ? code.FilePath.EndLine : null,
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: ids,
    componentName: pkg.Name ?? null,
    componentVersion: pkg.Version ?? null,
    fixVersion: pkg.FixedInVersion || null,
    fixAvailable: vuln.FixAvailable === 'YES' ? true : vuln.FixAvailable === 'NO' ? false : null,
    mitigation: [recommendation.Text, pkg.Remediation].filter(Boolean).join('\n') || null,
    references: [...new Set(references)].join('\n') || null,
    vendorUrl: typeof f?.Id === 'string' ? consoleUrl(f.Id, f?.Region ?? region) : null,
    cvssScore: typeof cvss3?.BaseScore === 'number' ? cvss3.BaseScore : null,
    cvssVector: cvss3?.BaseVector ?? null,
    cvssV4Score: typeof cvss4?.BaseScore === 'number' ? cvss4.BaseScore : null,
    cvssV4Vector: cvss4?.BaseVector ?? null,
    epssScore: epss,
    knownExploited: vuln.ExploitAvailable === 'YES' ? true : null,
    toolName: f?.ProductName ?? f?.ProductFields?.['aws/securityhub/ProductName'] ?? null,
    staticFinding: false,
    dynamicFinding: false,
    date: parseDate(f?.FirstObservedAt) ?? parseDate(f?.CreatedAt),
    mitigated: fixed,
    mitigatedAt: fixed ? parseDate(f?.UpdatedAt) ?? parseDate(f?.LastObservedAt) : null,
    // SUPPRESSED: someone decided it needs no action; Security Hub does not say whether as a false positive or an accepted risk
    dismissed: suppressed,
    dismissedBy: suppressed && typeof note?.UpdatedBy === 'string' ? note.UpdatedBy : null,
    dismissedAt: suppressed ? parseDate(note?.UpdatedAt) : null,
    dismissedReason: suppressed ? (typeof note?.Text === 'string' && note.Text ? note.Text : 'Suppressed in Security Hub') : null,
  };
}
