// A CycloneDX (1.4+) JSON BOM with `vulnerabilities` (a VEX or an SBOM scanned by Dependency-Track,
// Trivy `--format cyclonedx`, Grype `-o cyclonedx-json` …) → one NormalizedFinding per vulnerability
// and affected component. The vulnerability's `analysis` carries the VEX triage: false_positive and
// not_affected are false positives, resolved is fixed, as Dependency-Track reads them.
import { isSeverity, severityFromCvss, type Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { parseDate } from './vendor-values.ts';

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const RATING_SEVERITY: Record<string, Severity> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO', none: 'INFO', unknown: 'INFO' };

/** The worst severity any rating gives; a score without a word is read on CVSS's scale. */
function severityOf(ratings: any[]): Severity {
  const found = ratings.map((r) => RATING_SEVERITY[String(r?.severity ?? '').toLowerCase()] ?? (typeof r?.score === 'number' ? severityFromCvss(r.score) : null))
    .filter((s): s is Severity => isSeverity(s));
  const order: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
  return order.find((s) => found.includes(s)) ?? 'INFO';
}

function rating(ratings: any[], methods: string[]): [number, string] | null {
  const r = ratings.find((x) => methods.includes(String(x?.method ?? '')) && typeof x?.score === 'number');
  return r ? [r.score, String(r.vector ?? '')] : null;
}

/** Every component by bom-ref, nested components included. */
function componentsByRef(doc: any): Map<string, any> {
  const out = new Map<string, any>();
  const walk = (components: unknown) => {
    for (const c of list(components)) {
      if (c?.['bom-ref']) out.set(String(c['bom-ref']), c);
      walk(c?.components);
    }
  };
  if (doc.metadata?.component) walk([doc.metadata.component]);
  walk(doc.components);
  return out;
}

function toolOf(doc: any): { name: string | null; version: string | null } {
  const tools = doc.metadata?.tools;
  // 1.4: an array of {vendor, name, version}; 1.5+: {components: [...], services: [...]}
  const first = Array.isArray(tools) ? tools[0] : list(tools?.components)[0];
  return { name: first?.name ?? null, version: first?.version ?? null };
}

export function normalizeCycloneDx(doc: any, fileDate: Date, problem: (m: string) => never): NormalizedFinding[] {
  if (!doc || typeof doc !== 'object' || doc.bomFormat !== 'CycloneDX') problem('bomFormat is not CycloneDX');
  if (doc.vulnerabilities !== undefined && !Array.isArray(doc.vulnerabilities)) problem('vulnerabilities is not a list');
  const components = componentsByRef(doc);
  const tool = toolOf(doc);
  const bomDate = parseDate(doc.metadata?.timestamp) ?? fileDate;
  const out: NormalizedFinding[] = [];
  for (const v of list(doc.vulnerabilities)) {
    const id = String(v?.id ?? '');
    const ratings = list(v?.ratings);
    const v3 = rating(ratings, ['CVSSv31', 'CVSSv3']);
    const v4 = rating(ratings, ['CVSSv4']);
    const ids = [id, ...list(v?.references).map((r) => r?.id)].filter((x, i, all): x is string => typeof x === 'string' && !!x && all.indexOf(x) === i);
    const cwes = list(v?.cwes).filter((n): n is number => Number.isInteger(n) && n > 0);
    const state = String(v?.analysis?.state ?? '');
    const falsePositive = state === 'false_positive' || state === 'not_affected';
    const mitigated = state === 'resolved' || state === 'resolved_with_pedigree';
    const responses = list(v?.analysis?.response).map(String);
    const riskAccepted = !falsePositive && !mitigated && (responses.includes('will_not_fix') || responses.includes('can_not_fix'));
    const dismissed = falsePositive || riskAccepted;
    // a vulnerability with no `affects` still names a finding (against the BOM's own subject)
    const refs = list(v?.affects).map((a) => String(a?.ref ?? '')).filter(Boolean);
    for (const ref of refs.length ? refs : ['']) {
      const c = components.get(ref) ?? (ref ? null : doc.metadata?.component) ?? null;
      const name = c ? (c.group ? `${c.group}:${c.name}` : c.name) : ref || null;
      const fixes = list(v?.affects).find((a) => a?.ref === ref)?.versions?.filter((x: any) => x?.status === 'unaffected' && x?.version).map((x: any) => x.version) ?? [];
      out.push({
        title: `${c?.name ?? ref}:${c?.version ?? ''} | ${id}`,
        severity: severityOf(ratings),
        description: [v?.description, v?.detail].filter(Boolean).join('\n\n') || id,
        mitigation: v?.recommendation ?? null,
        references: [v?.source?.url, ...list(v?.advisories).map((a) => a?.url)].filter((r, i, all) => typeof r === 'string' && all.indexOf(r) === i).join('\n') || null,
        uniqueIdFromTool: `cyclonedx|${id}|${c?.purl ?? ref}`,
        vulnIdFromTool: id || null,
        vulnerabilityIds: ids,
        // DefectDojo puts the purl where a file would be, so the finding points at the dependency
        filePath: c?.purl ?? null,
        componentName: name,
        componentVersion: c?.version ?? null,
        fixVersion: fixes.join(', ') || null,
        fixAvailable: fixes.length ? true : null,
        cwes,
        cwe: cwes[0] ?? null,
        cvssScore: v3?.[0] ?? null,
        cvssVector: v3?.[1] || null,
        cvssV4Score: v4?.[0] ?? null,
        cvssV4Vector: v4?.[1] || null,
        toolName: tool.name,
        toolVersion: tool.version,
        staticFinding: true,
        dynamicFinding: false,
        date: parseDate(v?.created) ?? parseDate(v?.published) ?? bomDate,
        falsePositive,
        riskAccepted,
        mitigated,
        mitigatedAt: mitigated ? parseDate(v?.analysis?.lastUpdated) : null,
        dismissed,
        dismissedAt: dismissed ? parseDate(v?.analysis?.lastUpdated ?? v?.analysis?.firstIssued) : null,
        dismissedReason: dismissed ? [state, v?.analysis?.justification, v?.analysis?.detail].filter(Boolean).join(': ') || null : null,
      });
    }
  }
  return out;
}
