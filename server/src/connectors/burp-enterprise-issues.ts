// Burp Suite DAST (Enterprise) GraphQL issues → NormalizedFinding: the queries the kind sends and
// the mapping of one Issue of a scan (PortSwigger's GraphQL schema, research/connectors.md §7).
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { firstText, parseDate } from './vendor-values.ts';

// Every operation must be named (PortSwigger: "You must specify a name for any queries").
export const SITE_TREE_QUERY = `query TributarySiteTree {
  site_tree {
    sites { id name parent_id ephemeral scope_v2 { start_urls } }
    folders { id name parent_id }
  }
}`;

// The newest succeeded scan of a site: runZero and Kenna's toolkit select it the same way.
export const LATEST_SCAN_QUERY = `query TributaryLatestScan($siteId: ID!) {
  scans(offset: 0, limit: 1, site_id: $siteId, scan_status: [succeeded], sort_column: start, sort_order: desc) {
    id status start_time end_time
  }
}`;

const ISSUE_FIELDS = `serial_number severity confidence path origin novelty accepted_risk
      description_html remediation_html
      issue_type { type_index name description_html remediation_html references_html vulnerability_classifications_html }`;

/**
 * `fingerprint` ("identifies the issue across scans") exists on current Burp Suite DAST only; an
 * older Enterprise Edition rejects the whole query over it, so the kind retries without it.
 */
export function scanIssuesQuery(withFingerprint: boolean): string {
  return `query TributaryScanIssues($scanId: ID!, $start: Int!, $count: Int!) {
  scan(id: $scanId) {
    id
    issues(start: $start, count: $count) {
      ${withFingerprint ? 'fingerprint ' : ''}${ISSUE_FIELDS}
    }
  }
}`;
}

// Burp has no critical level; runZero's map lists one anyway, so it is tolerated.
const SEVERITIES: Record<string, Severity> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Burp's descriptions are small HTML fragments (p, ul/li, b, a, br): kept readable as plain text. */
export function htmlToText(html: unknown): string {
  if (typeof html !== 'string' || !html) return '';
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|ul|ol|h\d|table|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Every CWE in the issue type's classifications (`<a href=…/cwe/…>CWE-79: …</a>`), in order. */
function cwesOf(html: unknown): number[] {
  const ids = [...String(html ?? '').matchAll(/CWE-(\d+)/gi)].map((m) => Number(m[1]));
  return [...new Set(ids.filter((n) => n > 0))];
}

function linksOf(html: unknown): string[] {
  return [...new Set([...String(html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!).filter((u) => /^https?:\/\//i.test(u)))];
}

export interface ScanContext {
  scanId: string;
  /** the scan's start: Burp gives issues no timestamp of their own */
  startedAt: Date | null;
  /** the Burp server root, for the link back */
  root: string;
}

export function normalizeIssue(issue: any, scan: ScanContext): NormalizedFinding {
  const type = issue?.issue_type ?? {};
  const origin = String(issue?.origin ?? '').replace(/\/+$/, '');
  const path = String(issue?.path ?? '');
  const typeIndex = type.type_index === undefined || type.type_index === null ? null : String(type.type_index);
  const cwes = cwesOf(type.vulnerability_classifications_html);
  const description = [htmlToText(issue?.description_html), htmlToText(type.description_html)].filter(Boolean).join('\n\n');
  const mitigation = [htmlToText(issue?.remediation_html), htmlToText(type.remediation_html)].filter(Boolean).join('\n\n');
  const falsePositive = issue?.confidence === 'false_positive';
  return {
    title: firstText(type.name)?.trim() ?? `Burp issue ${typeIndex ?? ''}`.trim(),
    severity: SEVERITIES[String(issue?.severity ?? '').toLowerCase()] ?? 'INFO',
    description: description || undefined,
    /*
     * serial_number names this occurrence within one scan only; the next scan numbers it afresh, so
     * it cannot carry a finding from scan to scan. `fingerprint` can; without it, the issue type at
     * the same origin and path is the same issue (research/connectors.md §7).
     */
    uniqueIdFromTool: typeof issue?.fingerprint === 'string' && issue.fingerprint
      ? issue.fingerprint
      : `${typeIndex ?? type.name ?? 'unknown'}|${origin}|${path}`,
    vulnIdFromTool: typeIndex,
    // a DAST finding's location is the URL it was found at
    filePath: origin || path ? `${origin}${path}` : null,
    cwe: cwes[0] ?? null,
    cwes,
    mitigation: mitigation || null,
    references: linksOf(type.references_html).join('\n') || null,
    vendorUrl: `${scan.root}/scans/${encodeURIComponent(scan.scanId)}`,
    toolName: 'Burp Scanner',
    staticFinding: false,
    dynamicFinding: true,
    date: scan.startedAt,
    // "certain": Burp's own word that the issue is definitely present
    verified: issue?.confidence === 'certain',
    falsePositive,
    riskAccepted: issue?.accepted_risk === true,
    dismissed: falsePositive || issue?.accepted_risk === true,
  };
}

export function scanContext(scan: any, root: string): ScanContext {
  return { scanId: String(scan.id), startedAt: parseDate(scan.start_time), root };
}
