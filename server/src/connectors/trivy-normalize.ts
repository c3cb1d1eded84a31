// Trivy's JSON report (`trivy image|fs|repo --format json`, SchemaVersion 2) → NormalizedFinding:
// every Results[] target's Vulnerabilities, failed Misconfigurations and Secrets. Titles follow
// DefectDojo's Trivy parser, whose hash fields (title, severity, vulnerability_ids, cwe,
// description) read them.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseCwe, parseDate } from './vendor-values.ts';

// Trivy's scale; UNKNOWN is DefectDojo's Info
const SEVERITIES: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', UNKNOWN: 'INFO' };
const sev = (v: unknown): Severity => SEVERITIES[String(v ?? '').toUpperCase()] ?? 'INFO';
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The CVSS of the source Trivy rated the severity from (SeveritySource), else NVD, else any. */
function cvssOf(v: any): { v3?: [number, string]; v4?: [number, string] } {
  const sources = v?.CVSS && typeof v.CVSS === 'object' ? v.CVSS : {};
  const order = [v?.SeveritySource, 'nvd', ...Object.keys(sources)].filter((s) => s && sources[s]);
  const out: { v3?: [number, string]; v4?: [number, string] } = {};
  for (const s of order) {
    const c = sources[s];
    if (!out.v3 && typeof c.V3Score === 'number') out.v3 = [c.V3Score, c.V3Vector ?? ''];
    if (!out.v4 && typeof c.V40Score === 'number') out.v4 = [c.V40Score, c.V40Vector ?? ''];
  }
  return out;
}

export function normalizeTrivy(doc: any, fileDate: Date, problem: (m: string) => never): NormalizedFinding[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) problem('the document is not an object');
  if (doc.Results !== undefined && doc.Results !== null && !Array.isArray(doc.Results)) problem('Results is not a list');
  const date = parseDate(doc.CreatedAt) ?? fileDate;
  const toolVersion = typeof doc.Trivy?.Version === 'string' ? doc.Trivy.Version : null;
  const common = { toolName: 'Trivy', toolVersion, date, staticFinding: true, dynamicFinding: false } as const;
  const out: NormalizedFinding[] = [];
  for (const result of list(doc.Results)) {
    const target = String(result?.Target ?? doc.ArtifactName ?? '');
    for (const v of list(result?.Vulnerabilities)) {
      const id = String(v?.VulnerabilityID ?? '');
      const cvss = cvssOf(v);
      const cwes = list(v?.CweIDs).map(parseCwe).filter((n): n is number => n !== null);
      const fixed = typeof v?.FixedVersion === 'string' && v.FixedVersion ? v.FixedVersion : null;
      out.push({
        ...common,
        title: `${id} ${v?.PkgName} ${v?.InstalledVersion}`,
        severity: sev(v?.Severity),
        description: [v?.Title, v?.Description].filter(Boolean).join('\n\n') || id,
        mitigation: fixed ? `Upgrade ${v.PkgName} to version ${fixed}` : null,
        references: [v?.PrimaryURL, ...list(v?.References)].filter((r, i, all) => typeof r === 'string' && all.indexOf(r) === i).join('\n') || null,
        uniqueIdFromTool: `trivy|${target}|${id}|${v?.PkgID ?? v?.PkgName}|${v?.InstalledVersion}`,
        vulnIdFromTool: id || null,
        vulnerabilityIds: id ? [id] : [],
        // the package's file inside the image (a jar, a lock file) when Trivy says, else the target
        filePath: v?.PkgPath || target || null,
        componentName: v?.PkgName ?? null,
        componentVersion: v?.InstalledVersion ?? null,
        fixVersion: fixed,
        fixAvailable: fixed ? true : v?.Status === 'will_not_fix' || v?.Status === 'fix_deferred' ? false : null,
        cwes,
        cwe: cwes[0] ?? null,
        cvssScore: cvss.v3?.[0] ?? null,
        cvssVector: cvss.v3?.[1] || null,
        cvssV4Score: cvss.v4?.[0] ?? null,
        cvssV4Vector: cvss.v4?.[1] || null,
      });
    }
    for (const m of list(result?.Misconfigurations)) {
      // Trivy lists passed checks too when asked (--include-non-failures)
      if (m?.Status && m.Status !== 'FAIL') continue;
      const start = m?.CauseMetadata?.StartLine;
      const end = m?.CauseMetadata?.EndLine;
      out.push({
        ...common,
        title: `${m?.ID}: ${m?.Title}`,
        severity: sev(m?.Severity),
        description: [m?.Description, m?.Message].filter(Boolean).join('\n\n') || String(m?.Title ?? ''),
        mitigation: m?.Resolution ?? null,
        references: [m?.PrimaryURL, ...list(m?.References)].filter((r, i, all) => typeof r === 'string' && all.indexOf(r) === i).join('\n') || null,
        uniqueIdFromTool: `trivy|${target}|${m?.AVDID ?? m?.ID}|${start ?? ''}`,
        vulnIdFromTool: m?.ID ?? null,
        filePath: target || null,
        line: Number.isInteger(start) && start > 0 ? start : null,
        endLine: Number.isInteger(end) && end > start ? end : null,
      });
    }
    for (const s of list(result?.Secrets)) {
      out.push({
        ...common,
        title: `Secret detected: ${s?.Title ?? s?.RuleID}`,
        severity: sev(s?.Severity),
        // the match is the secret itself, masked by Trivy; it is kept out of the description
        description: `${s?.Category ?? 'Secret'} (${s?.RuleID}) in ${target}`,
        uniqueIdFromTool: `trivy|${target}|${s?.RuleID}|${s?.StartLine ?? ''}`,
        vulnIdFromTool: s?.RuleID ?? null,
        filePath: target || null,
        line: Number.isInteger(s?.StartLine) && s.StartLine > 0 ? s.StartLine : null,
        endLine: Number.isInteger(s?.EndLine) && s.EndLine > s.StartLine ? s.EndLine : null,
        cwes: [798],
        cwe: 798,
      });
    }
  }
  return out;
}
