// Grype's JSON report (`grype <target> -o json`) → NormalizedFinding, one per match (vulnerability ×
// package). Titles follow DefectDojo's "Anchore Grype" parser, whose hash (title, severity,
// component_name, component_version) reads them.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseDate } from './vendor-values.ts';

// Grype's scale; Negligible and Unknown are DefectDojo's Info
const SEVERITIES: Record<string, Severity> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', negligible: 'INFO', unknown: 'INFO' };
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The highest CVSS of a version family ("3.1", "4.0") among the vulnerability and its related records. */
function cvss(records: any[], family: string): [number, string] | null {
  let best: [number, string] | null = null;
  for (const c of records.flatMap((r) => list(r?.cvss))) {
    const score = c?.metrics?.baseScore;
    if (String(c?.version ?? '').startsWith(family) && typeof score === 'number' && (!best || score > best[0])) best = [score, String(c.vector ?? '')];
  }
  return best;
}

export function normalizeGrype(doc: any, fileDate: Date, problem: (m: string) => never): NormalizedFinding[] {
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.matches)) problem('there is no matches list');
  const descriptor = doc.descriptor ?? {};
  const date = parseDate(descriptor.timestamp) ?? fileDate;
  return doc.matches.map((m: any): NormalizedFinding => {
    const v = m?.vulnerability ?? {};
    const a = m?.artifact ?? {};
    const related = list(m?.relatedVulnerabilities);
    const id = String(v.id ?? '');
    // a GHSA match names its CVE in relatedVulnerabilities
    const ids = [id, ...related.map((r) => r?.id)].filter((x, i, all): x is string => typeof x === 'string' && !!x && all.indexOf(x) === i);
    const fixes: string[] = list(v.fix?.versions).filter((x) => typeof x === 'string');
    const location = list(a.locations)[0]?.path ?? null;
    const v3 = cvss([v, ...related], '3');
    const v4 = cvss([v, ...related], '4');
    const epss = list(v.epss)[0];
    return {
      title: `${id} in ${a.name}:${a.version}`,
      severity: SEVERITIES[String(v.severity ?? '').toLowerCase()] ?? 'INFO',
      description: v.description || related.find((r) => r?.description)?.description || id,
      mitigation: fixes.length ? `Upgrade ${a.name} to version ${fixes.join(' or ')}` : null,
      references: [v.dataSource, ...list(v.urls)].filter((r, i, all) => typeof r === 'string' && all.indexOf(r) === i).join('\n') || null,
      uniqueIdFromTool: `grype|${id}|${a.purl || `${a.type}/${a.name}@${a.version}`}|${location ?? ''}`,
      vulnIdFromTool: id || null,
      vulnerabilityIds: ids,
      filePath: location,
      componentName: a.name ?? null,
      componentVersion: a.version ?? null,
      fixVersion: fixes.join(', ') || null,
      fixAvailable: v.fix?.state === 'fixed' ? true : v.fix?.state === 'not-fixed' || v.fix?.state === 'wont-fix' ? false : null,
      cvssScore: v3?.[0] ?? null,
      cvssVector: v3?.[1] || null,
      cvssV4Score: v4?.[0] ?? null,
      cvssV4Vector: v4?.[1] || null,
      // Grype 0.80+ adds EPSS and CISA KEV to each vulnerability
      epssScore: typeof epss?.epss === 'number' ? epss.epss : null,
      epssPercentile: typeof epss?.percentile === 'number' ? epss.percentile : null,
      knownExploited: Array.isArray(v.knownExploited) ? v.knownExploited.length > 0 : null,
      toolName: 'Grype',
      toolVersion: typeof descriptor.version === 'string' ? descriptor.version : null,
      staticFinding: true,
      dynamicFinding: false,
      date,
    };
  });
}
