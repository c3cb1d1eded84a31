// GitLab's GraphQL vulnerability report → NormalizedFinding (field names from GitLab EE
// ee/app/graphql/types/vulnerability_type.rb; mapping in research/connectors.md §4).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseCwe, parseDate } from './vendor-values.ts';

// Every state, so a vendor-side dismissal or resolution reaches reimport instead of looking absent.
export const VULNERABILITIES_QUERY = `query tributaryVulnerabilities($fullPath: ID!, $first: Int!, $after: String) {
  project(fullPath: $fullPath) {
    id
    vulnerabilities(first: $first, after: $after, state: [DETECTED, CONFIRMED, RESOLVED, DISMISSED]) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id uuid title description solution severity state reportType
        detectedAt updatedAt resolvedAt dismissedAt dismissalReason
        resolvedOnDefaultBranch presentOnDefaultBranch webUrl
        scanner { externalId name vendor }
        primaryIdentifier { externalType externalId name url }
        identifiers { externalType externalId name url }
        cvss { vector vendor }
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

export function normalizeVulnerability(v: any): NormalizedFinding {
  const location = v.location ?? {};
  const identifiers: any[] = v.identifiers ?? [];
  const dependency = location.dependency ?? {};
  const dismissed = v.state === 'DISMISSED';
  const reason = dismissed ? String(v.dismissalReason ?? '') : '';
  // resolvedOnDefaultBranch: the latest default-branch scan no longer detects it (GitLab's "needs triage" resolution)
  const mitigated = v.state === 'RESOLVED' || (!dismissed && v.resolvedOnDefaultBranch === true);
  const dynamic = DYNAMIC_REPORTS.has(String(v.reportType));
  const cwe = identifiers.find((i) => String(i?.externalType).toLowerCase() === 'cwe');
  return {
    title: v.title || v.primaryIdentifier?.name || 'GitLab vulnerability',
    severity: SEVERITIES[String(v.severity ?? '').toUpperCase()] ?? 'INFO',
    description: v.description ?? undefined,
    mitigation: v.solution ?? null,
    uniqueIdFromTool: v.uuid ?? v.id ?? null,
    vulnIdFromTool: v.primaryIdentifier?.externalId ?? null,
    filePath: location.file ?? location.image ?? (dynamic && location.path ? `${location.hostname ?? ''}${location.path}` : null),
    // VulnerabilityLocationSast.startLine is a GraphQL String
    line: toLine(location.startLine),
    cwe: cwe ? parseCwe(cwe.externalId ?? cwe.name) : null,
    vulnerabilityIds: [...new Set(identifiers
      .filter((i) => VULNERABILITY_ID_TYPES.has(String(i?.externalType).toLowerCase()))
      .map((i) => String(i.name ?? i.externalId).toUpperCase()))],
    componentName: dependency.package?.name ?? null,
    componentVersion: dependency.version ?? null,
    cvssVector: v.cvss?.[0]?.vector ?? null,
    references: v.primaryIdentifier?.url ?? null,
    vendorUrl: v.webUrl ?? null,
    service: null,
    staticFinding: !dynamic,
    dynamicFinding: dynamic,
    date: parseDate(v.detectedAt),
    verified: v.state === 'CONFIRMED',
    falsePositive: reason === 'FALSE_POSITIVE',
    // a dismissal without a reason predates dismissal reasons: someone chose not to act on it
    riskAccepted: dismissed && (reason === 'ACCEPTABLE_RISK' || reason === 'MITIGATING_CONTROL' || reason === ''),
    outOfScope: reason === 'USED_IN_TESTS' || reason === 'NOT_APPLICABLE',
    mitigated,
    mitigatedAt: mitigated ? parseDate(v.resolvedAt) : null,
  };
}

function toLine(value: unknown): number | null {
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value ?? '')) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}
