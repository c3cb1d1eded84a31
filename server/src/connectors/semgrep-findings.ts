// Semgrep API v1 finding (Code or Supply Chain) → NormalizedFinding, mapped as research/connectors.md
// §5 and DefectDojo's semgrep_pro parser read it.
import type { Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { firstText, parseCwe, parseDate, vendorObject } from './vendor-values.ts';

// Semgrep has four severities; ERROR, WARNING and INFO are older rule levels that "correspond to
// High, Medium, and Low, respectively" (semgrep.dev/docs/kb/rules/understand-severities), and
// DefectDojo's semgrep_pro parser maps them the same way (INFO and LOW → Low): so "info" is Low.
// Anything else Semgrep might send is Info rather than a guess upward.
const SEVERITIES: Record<string, Severity> = {
  critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW',
  error: 'HIGH', warning: 'MEDIUM', info: 'LOW',
};

/** Semgrep timestamps: RFC 3339, or "2006-01-02 15:04:05.000000" (UTC) from older endpoints. */
function semgrepDate(v: unknown): Date | null {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(v)) return parseDate(v.replace(' ', 'T') + 'Z');
  return parseDate(v);
}

/** `findingsUrl`: the deployment's findings page in Semgrep's web app (…/orgs/<slug>/findings). */
export function normalizeSemgrepFinding(item: unknown, issueType: 'sast' | 'sca', findingsUrl: string): NormalizedFinding {
  const f = vendorObject(item, 'a Semgrep finding');
  const rule = f.rule ?? {};
  const loc = f.location ?? {};
  const status = String(f.status ?? f.triage_state ?? '').toLowerCase();
  const reason = String(f.triage_reason ?? '').toLowerCase();
  const ignored = status === 'ignored' || String(f.triage_state ?? '').toLowerCase() === 'ignored';
  const fixed = status === 'fixed' || status === 'removed' || String(f.state ?? '').toLowerCase() === 'fixed';
  const cwes = (Array.isArray(rule.cwe_names) ? rule.cwe_names : [])
    .map((name: unknown) => /CWE-(\d+)/i.exec(String(name))?.[1])
    .map(parseCwe)
    .filter((n: number | null): n is number => n !== null);
  const dep = f.found_dependency ?? {};
  const vulnId = typeof f.vulnerability_identifier === 'string' ? f.vulnerability_identifier : null;
  const fixes: any[] = Array.isArray(f.fix_recommendations) ? f.fix_recommendations : [];
  const line = Number.isInteger(loc.line) && loc.line > 0 ? loc.line : null;
  const endLine = Number.isInteger(loc.end_line) && loc.end_line > (line ?? 0) ? loc.end_line : null;
  const guidance = f.assistant?.guidance;
  return {
    title: firstText(f.rule_name, rule.name) ?? 'Semgrep finding',
    severity: SEVERITIES[String(f.severity ?? '').toLowerCase()] ?? 'INFO',
    description: String(f.rule_message ?? rule.message ?? '') || undefined,
    mitigation: guidance?.instructions ?? (fixes.length ? fixes.map((x) => `Upgrade ${x?.package} to ${x?.version}`).join('\n') : null),
    uniqueIdFromTool: f.match_based_id ?? (f.id !== undefined ? String(f.id) : null),
    vulnIdFromTool: String(f.rule_name ?? rule.name ?? '') || null,
    filePath: loc.file_path ?? null,
    line,
    endLine,
    cwes,
    cwe: cwes[0] ?? null,
    vulnerabilityIds: vulnId ? [vulnId] : [],
    componentName: issueType === 'sca' ? dep.package ?? null : null,
    componentVersion: issueType === 'sca' ? dep.version ?? null : null,
    fixVersion: fixes.map((x) => x?.version).filter(Boolean).join(', ') || null,
    fixAvailable: issueType === 'sca' ? fixes.length > 0 : null,
    references: f.line_of_code_url ?? null,
    vendorUrl: f.id !== undefined ? `${findingsUrl}/${f.id}` : null,
    toolName: issueType === 'sca' ? 'Semgrep Supply Chain' : 'Semgrep Code',
    staticFinding: true,
    dynamicFinding: false,
    date: semgrepDate(f.created_at ?? f.relevant_since),
    // Semgrep's ignore reasons: false_positive, acceptable_risk, no_time (and none)
    falsePositive: ignored && reason === 'false_positive',
    riskAccepted: ignored && reason === 'acceptable_risk',
    dismissed: ignored,
    dismissedAt: ignored ? semgrepDate(f.triaged_at ?? f.state_updated_at) : null,
    dismissedReason: ignored ? [reason || null, f.triage_comment || null].filter(Boolean).join(': ') || null : null,
    // someone confirmed it is real and is working on it
    verified: status === 'fixing' || status === 'reviewing',
    mitigated: fixed,
    mitigatedAt: fixed ? semgrepDate(f.state_updated_at) : null,
  };
}
