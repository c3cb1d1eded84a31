// Wiz GraphQL: the queries the kind sends and the mapping of one vulnerability finding (Wiz's
// `vulnerabilityFindings` connection, field names as Wiz's API reference and Elastic's Wiz
// integration query them).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseDate } from './vendor-values.ts';

export const PROJECTS_QUERY = `query TributaryProjects($first: Int, $after: String) {
  projects(first: $first, after: $after, filterBy: { includeArchived: false }) {
    nodes { id name slug archived businessUnit }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const FINDINGS_QUERY = `query TributaryVulnerabilityFindings($filterBy: VulnerabilityFindingFilters, $first: Int, $after: String) {
  vulnerabilityFindings(filterBy: $filterBy, first: $first, after: $after) {
    nodes {
      id portalUrl name CVEDescription CVSSSeverity score hasExploit hasCisaKevExploit status vendorSeverity
      firstDetectedAt lastDetectedAt resolvedAt description remediation detailedName version fixedVersion
      detectionMethod link locationPath resolutionReason epssPercentile epssProbability
      vulnerableAsset { ... on VulnerableAssetBase { id type name region providerUniqueId cloudPlatform subscriptionExternalId } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

// Wiz's severities; NONE is a finding Wiz rates as informational
const SEVERITIES: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', NONE: 'INFO', INFORMATIONAL: 'INFO' };
const VULN_ID = /^(CVE-\d{4}-\d{4,}|GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$/i;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function normalizeFinding(f: any): NormalizedFinding {
  const asset = f?.vulnerableAsset ?? {};
  const name = String(f?.name ?? '').trim();
  const pkg = [f?.detailedName, f?.version].filter((s) => typeof s === 'string' && s).join(' ');
  const status = String(f?.status ?? '').toUpperCase();
  // Wiz reports EPSS percentile in percent (46.2); the finding field is a 0–1 fraction like the score
  const percentile = num(f?.epssPercentile);
  const assetLine = asset.name ? `Asset: ${asset.name}${asset.type ? ` (${asset.type}${asset.cloudPlatform ? `, ${asset.cloudPlatform}` : ''}${asset.region ? `, ${asset.region}` : ''})` : ''}${asset.providerUniqueId ? `\n${asset.providerUniqueId}` : ''}` : '';
  const description = [f?.description || f?.CVEDescription, assetLine].filter(Boolean).join('\n\n');
  const ignored = status === 'IGNORED' || status === 'REJECTED';
  const resolved = status === 'RESOLVED';
  return {
    // one finding per vulnerability per asset: the asset belongs in the title analysts scan
    title: `${name || 'Vulnerability'}${pkg ? ` in ${pkg}` : ''}${asset.name ? ` on ${asset.name}` : ''}`,
    // Wiz's own rating (vendor advisory first), falling back to NVD's
    severity: SEVERITIES[String(f?.vendorSeverity ?? '').toUpperCase()] ?? SEVERITIES[String(f?.CVSSSeverity ?? '').toUpperCase()] ?? 'INFO',
    description: description || undefined,
    uniqueIdFromTool: f?.id ?? null,
    vulnIdFromTool: name || null,
    vulnerabilityIds: VULN_ID.test(name) ? [name] : [],
    filePath: f?.locationPath || null,
    componentName: f?.detailedName || null,
    componentVersion: f?.version || null,
    fixVersion: f?.fixedVersion || null,
    fixAvailable: typeof f?.fixedVersion === 'string' ? !!f.fixedVersion : null,
    mitigation: f?.remediation || null,
    references: f?.link || null,
    vendorUrl: f?.portalUrl || null,
    cvssScore: num(f?.score),
    epssScore: num(f?.epssProbability),
    epssPercentile: percentile === null ? null : percentile > 1 ? percentile / 100 : percentile,
    knownExploited: typeof f?.hasCisaKevExploit === 'boolean' ? f.hasCisaKevExploit : null,
    toolName: 'Wiz',
    staticFinding: false,
    dynamicFinding: false,
    date: parseDate(f?.firstDetectedAt),
    mitigated: resolved,
    mitigatedAt: resolved ? parseDate(f?.resolvedAt) : null,
    // an ignore rule matched: Wiz says only that it is ignored, not why in a way that maps to FP or accepted risk
    dismissed: ignored,
    dismissedReason: ignored ? (f?.resolutionReason || 'Ignored in Wiz') : null,
  };
}
