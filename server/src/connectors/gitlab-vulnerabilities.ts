// GitLab's GraphQL vulnerability report → NormalizedFinding (field names from GitLab EE
// ee/app/graphql/types/vulnerability_type.rb; mapping in research/connectors.md §4).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { canonicalVulnerabilityId, firstText, list, parseCwe, parseDate, vendorObject } from './vendor-values.ts';

// Every state, so a vendor-side dismissal or resolution reaches reimport instead of looking absent.
export const VULNERABILITIES_QUERY = `query tributaryVulnerabilities($fullPath: ID!, $first: Int!, $after: String) {
  project(fullPath: $fullPath) {
    id
    vulnerabilities(first: $first, after: $after, state: [DETECTED, CONFIRMED, RESOLVED, DISMISSED]) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id uuid title description solution severity state reportType
        detectedAt updatedAt resolvedAt dismissedAt dismissalReason stateComment
        dismissedBy { username name }
        resolvedOnDefaultBranch presentOnDefaultBranch webUrl
        scanner { externalId name vendor }
        primaryIdentifier { externalType externalId name url }
        identifiers { externalType externalId name url }
        cvss { vector vendor baseScore version }
        location {
          __typename
          ... on VulnerabilityLocationSast { file startLine endLine blobPath }
          ... on VulnerabilityLocationSecretDetection { file startLine endLine blobPath }
          ... on VulnerabilityLocationDependencyScanning { file blobPath dependency { version package { name } } }
          ... on VulnerabilityLocationContainerScanning { image operatingSystem dependency { version package { name } } }
          ... on VulnerabilityLocationDast { hostname path requestMethod param }
        }
      }
    }
  }
}`;

const SEVERITIES: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'INFO', UNKNOWN: 'INFO' };
const DYNAMIC_REPORTS = new Set(['DAST', 'API_FUZZING', 'COVERAGE_FUZZING']);
const VULNERABILITY_ID_TYPES = new Set(['cve', 'ghsa']);

export function normalizeVulnerability(item: unknown): NormalizedFinding {
  const v = vendorObject(item, 'a GitLab vulnerability');
  const location = v.location ?? {};
  const identifiers: any[] = list(v.identifiers);
  const dependency = location.dependency ?? {};
  const dismissed = v.state === 'DISMISSED';
  // GitLab.com answers dismissalReason null for every dismissal (gitlab-org/gitlab#547483); the
  // reason then lives only in the analyst's stateComment
  const reason = dismissed ? String(v.dismissalReason ?? '') : '';
  const comment = typeof v.stateComment === 'string' && v.stateComment.trim() !== '' ? v.stateComment : null;
  const cvss = (Array.isArray(v.cvss) ? v.cvss : []).filter((c: any) => c && typeof c.vector === 'string');
  const v3 = cvss.find((c: any) => /^CVSS:3/.test(c.vector));
  const v4 = cvss.find((c: any) => /^CVSS:4/.test(c.vector));
  const cwes = identifiers.filter((i) => String(i?.externalType).toLowerCase() === 'cwe').map((i) => parseCwe(i.externalId ?? i.name))
    .filter((n): n is number => n !== null);
  // resolvedOnDefaultBranch: the latest default-branch scan no longer detects it (GitLab's "needs triage" resolution)
  const mitigated = v.state === 'RESOLVED' || (!dismissed && v.resolvedOnDefaultBranch === true);
  const dynamic = DYNAMIC_REPORTS.has(String(v.reportType));
  return {
    title: firstText(v.title, v.primaryIdentifier?.name) ?? 'GitLab vulnerability',
    severity: SEVERITIES[String(v.severity ?? '').toUpperCase()] ?? 'INFO',
    description: v.description ?? undefined,
    mitigation: v.solution ?? null,
    uniqueIdFromTool: v.uuid ?? v.id ?? null,
    vulnIdFromTool: v.primaryIdentifier?.externalId ?? null,
    filePath: location.file ?? location.image ?? (dynamic && location.path ? `${location.hostname ?? ''}${location.path}` : null),
    // VulnerabilityLocationSast.startLine is a GraphQL String
    line: toLine(location.startLine),
    endLine: toLine(location.endLine),
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: [...new Set(identifiers
      .filter((i) => VULNERABILITY_ID_TYPES.has(String(i?.externalType).toLowerCase()))
      .map((i) => canonicalVulnerabilityId(String(i.name ?? i.externalId))))],
    componentName: dependency.package?.name ?? null,
    componentVersion: dependency.version ?? null,
    cvssScore: score(v3?.baseScore),
    cvssVector: v3?.vector ?? null,
    cvssV4Score: score(v4?.baseScore),
    cvssV4Vector: v4?.vector ?? null,
    toolName: v.scanner?.name ?? null,
    references: v.primaryIdentifier?.url ?? null,
    vendorUrl: v.webUrl ?? null,
    service: null,
    staticFinding: !dynamic,
    dynamicFinding: dynamic,
    date: parseDate(v.detectedAt),
    verified: v.state === 'CONFIRMED',
    falsePositive: reason === 'FALSE_POSITIVE',
    // a dismissal without a reason claims no risk acceptance: `dismissed` alone makes it inactive
    riskAccepted: reason === 'ACCEPTABLE_RISK' || reason === 'MITIGATING_CONTROL',
    outOfScope: reason === 'USED_IN_TESTS' || reason === 'NOT_APPLICABLE',
    dismissed,
    dismissedBy: dismissed ? v.dismissedBy?.username ?? v.dismissedBy?.name ?? null : null,
    dismissedAt: dismissed ? parseDate(v.dismissedAt) : null,
    dismissedReason: dismissed ? [reason, comment].filter(Boolean).join(': ') || null : null,
    mitigated,
    mitigatedAt: mitigated ? parseDate(v.resolvedAt) : null,
  };
}

function score(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function toLine(value: unknown): number | null {
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value ?? '')) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}
