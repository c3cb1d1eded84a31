// A finding's details as label/value rows for FindingDetails.vue: formatting (scores, percentages,
// location, CWE links) lives here so it can be tested without a browser.
import type { ResultOf } from '../../graphql/tada';
import type { FindingFields } from '../../graphql/findings';
import { formatDateTime } from '../../format/dates';

export type FindingDetail = ResultOf<typeof FindingFields>;

export interface DetailRow { label: string; value: string; href?: string; code?: boolean }

const cweLink = (cwe: number): DetailRow['href'] => `https://cwe.mitre.org/data/definitions/${cwe}.html`;

/** 0.97 → "97%", 0.00042 → "0.04%" */
export function formatProbability(value: number): string {
  const percent = value * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent >= 1 ? percent.toFixed(1) : percent.toFixed(2)}%`;
}

export function formatLocation(filePath: string | null | undefined, line: number | null | undefined, endLine?: number | null): string | null {
  if (!filePath) return null;
  if (line == null) return filePath;
  return endLine != null && endLine !== line ? `${filePath}:${line}–${endLine}` : `${filePath}:${line}`;
}

export function detailRows(f: FindingDetail): DetailRow[] {
  const rows: DetailRow[] = [];
  const add = (label: string, value: string | null | undefined, extra: Partial<DetailRow> = {}) => {
    if (value != null && value !== '') rows.push({ label, value, ...extra });
  };
  add('Tool', [f.toolName, f.toolVersion].filter(Boolean).join(' ') || null);
  add('Location', formatLocation(f.filePath, f.line, f.endLine), { code: true });
  add('Code', f.codeClassification);
  add('Component', [f.componentName, f.componentVersion].filter(Boolean).join(' ') || null);
  add('Service', f.service);
  // every CWE the tool links (cwe is the first of them), each to MITRE's page
  for (const cwe of f.cwes?.length ? f.cwes : f.cwe != null ? [f.cwe] : []) add(rows.some((r) => r.label === 'CWE') ? 'Also CWE' : 'CWE', `CWE-${cwe}`, { href: cweLink(cwe) });
  add('Vulnerability ids', f.vulnerabilityIds?.length ? f.vulnerabilityIds.join(', ') : null);
  add('CVSS v3', f.cvssScore != null ? [f.cvssScore.toFixed(1), f.cvssVector].filter(Boolean).join(' · ') : null);
  add('CVSS v4', f.cvssV4Score != null ? [f.cvssV4Score.toFixed(1), f.cvssV4Vector].filter(Boolean).join(' · ') : null);
  add('EPSS', f.epssScore != null ? [formatProbability(f.epssScore), f.epssPercentile != null ? `percentile ${formatProbability(f.epssPercentile)}` : null].filter(Boolean).join(' · ') : null);
  if (f.knownExploited) add('Known exploited', 'Yes (listed as exploited in the wild)');
  if (f.fixAvailable != null) add('Fix', f.fixAvailable ? (f.fixVersion ? `Available in ${f.fixVersion}` : 'Available') : 'No fix yet');
  if (f.dismissedInTool) {
    add('Dismissed in tool', [f.dismissedBy ? `by ${f.dismissedBy}` : null, f.dismissedAt ? formatDateTime(f.dismissedAt) : null, f.dismissedReason].filter(Boolean).join(' · ') || 'Yes');
  }
  add('Tool id', f.uniqueIdFromTool, { code: true });
  add('Tool rule', f.vulnIdFromTool, { code: true });
  add('Hash code', f.hashCode, { code: true });
  add('Found', f.date ? formatDateTime(f.date) : null);
  add('Imported', f.createdAt ? formatDateTime(f.createdAt) : null);
  add('Status changed', f.lastStatusUpdate ? formatDateTime(f.lastStatusUpdate) : null);
  add('Mitigated', f.mitigatedAt ? formatDateTime(f.mitigatedAt) : null);
  add('SLA started', f.slaStartDate ? formatDateTime(f.slaStartDate) : null);
  add('SLA due', f.slaExpirationDate ? formatDateTime(f.slaExpirationDate) : null);
  return rows;
}
