// SARIF 2.1.0 result → NormalizedFinding (research/connectors.md §9), one result at a time so that a
// report is read as a stream (sarif-parse.ts) and never held whole.
import { createHash } from 'node:crypto';
import { severityFromCvss, type Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';

export type Json = Record<string, any>;

export class InvalidSarif extends Error {}

const LEVEL_SEVERITY: Record<string, Severity> = { error: 'HIGH', warning: 'MEDIUM', note: 'LOW', none: 'INFO' };
const WORD_SEVERITY: Record<string, Severity> = { CRITICAL: 'CRITICAL', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW', INFO: 'INFO', NONE: 'INFO' };

/** What every result of one run is read against: its rules, its date, its artifacts and taxonomies. */
export interface RunContext {
  run: Json;
  driverRules: Json[];
  rules: Map<string, Json>;
  date: Date;
  where: string;
}

/** `run` needs only the properties results refer to: tool, invocations, artifacts, taxonomies. */
export function runContext(run: Json, r: number, fallbackDate: Date): RunContext {
  if (!isObject(run.tool) || !isObject(run.tool.driver)) throw new InvalidSarif(`runs[${r}].tool.driver is missing`);
  const rules = new Map<string, Json>();
  const driverRules: Json[] = Array.isArray(run.tool.driver.rules) ? run.tool.driver.rules : [];
  const extensions: unknown[] = Array.isArray(run.tool.extensions) ? run.tool.extensions : [];
  for (const rule of [...driverRules, ...extensions.flatMap((x) => (isObject(x) && Array.isArray(x.rules) ? x.rules : []))]) {
    if (isObject(rule) && rule.id) rules.set(String(rule.id), rule);
  }
  const started = run.invocations?.[0]?.startTimeUtc ? new Date(run.invocations[0].startTimeUtc) : null;
  const date = started && !Number.isNaN(started.getTime()) ? started : fallbackDate;
  return { run, driverRules, rules, date, where: `runs[${r}]` };
}

/** The finding a result stands for, or null for a result that is not one (kind other than "fail"). */
export function findingOf(ctx: RunContext, result: unknown, i: number): NormalizedFinding | null {
  if (!isObject(result)) throw new InvalidSarif(`${ctx.where}.results[${i}] is not an object`);
  // DefectDojo imports only kind "fail" (the default); pass / notApplicable / informational are not findings
  if (result.kind !== undefined && result.kind !== 'fail') return null;
  const rule = ruleOf(result, ctx.driverRules, ctx.rules);
  return normalizeResult(ctx.run, result, rule, ctx.date, `${ctx.where}.results[${i}]`);
}

/**
 * Whether a result points into run.artifacts or run.taxonomies by index while the run has not
 * declared them (yet): a streaming reader must hold it until the run's end to resolve it.
 */
export function refersAhead(run: Json, result: unknown): boolean {
  if (!isObject(result)) return false;
  const location = result.locations?.[0]?.physicalLocation?.artifactLocation;
  if (run.artifacts === undefined && location?.uri == null && Number.isInteger(location?.index)) return true;
  if (run.taxonomies === undefined && Array.isArray(result.taxa)) {
    return result.taxa.some((t: Json) => t?.toolComponent?.name == null && Number.isInteger(t?.toolComponent?.index));
  }
  return false;
}

function ruleOf(result: Json, driverRules: Json[], byId: Map<string, Json>): Json {
  if (Number.isInteger(result.ruleIndex) && isObject(driverRules[result.ruleIndex]) && !result.rule?.toolComponent) return driverRules[result.ruleIndex]!;
  const id = result.ruleId ?? result.rule?.id;
  if (!id) return {};
  // a ruleId may name a sub-rule ("rule/subrule") of a declared rule
  return byId.get(id) ?? byId.get(String(id).split('/')[0]!) ?? {};
}

function normalizeResult(run: Json, result: Json, rule: Json, date: Date, where: string): NormalizedFinding {
  const ruleId: string | undefined = result.ruleId ?? result.rule?.id ?? rule.id;
  const message = messageText(result.message, rule);
  if (message === null) throw new InvalidSarif(`${where} has no message text`);
  const physical = result.locations?.[0]?.physicalLocation;
  const filePath = artifactPath(run, physical?.artifactLocation);
  const line = Number.isInteger(physical?.region?.startLine) ? physical.region.startLine : null;
  const fullDescription = rule.fullDescription?.text ?? rule.help?.text;
  const suppressions: Json[] = Array.isArray(result.suppressions) ? result.suppressions : [];
  return {
    title: rule.shortDescription?.text ?? rule.name ?? ruleId ?? message,
    severity: severityOf(result, rule),
    description: fullDescription && fullDescription !== message ? `${message}\n\n${fullDescription}` : message,
    uniqueIdFromTool: uniqueId(result) ?? sha256([ruleId, filePath, line, message].join('|')),
    vulnIdFromTool: ruleId ?? null,
    filePath,
    line,
    cwe: cweOf(run, result, rule),
    vulnerabilityIds: vulnerabilityIds(ruleId, rule, result),
    references: rule.helpUri ?? null,
    staticFinding: true,
    dynamicFinding: false,
    date,
    // "accepted" is the default status; "underReview" is a pending request, "rejected" a refused one
    falsePositive: suppressions.some((s) => !s?.status || s.status === 'accepted'),
    mitigated: result.baselineState === 'absent',
    mitigatedAt: result.baselineState === 'absent' ? date : null,
  };
}

/** `fingerprints` (the newest version of a method wins) > `partialFingerprints` (DefectDojo's form) */
function uniqueId(result: Json): string | null {
  const full = isObject(result.fingerprints) ? Object.keys(result.fingerprints).sort(naturalOrder) : [];
  if (full.length) return String(result.fingerprints[full[full.length - 1]!]);
  const partial = isObject(result.partialFingerprints) ? Object.keys(result.partialFingerprints).sort() : [];
  if (partial.length) return partial.map((k) => `${k}:${result.partialFingerprints[k]}`).join('|');
  return null;
}

function severityOf(result: Json, rule: Json): Severity {
  const raw = result.properties?.['security-severity'] ?? rule.properties?.['security-severity'];
  if (raw !== undefined && raw !== null && raw !== '') {
    // GitHub's thresholds for the CVSS-like number; Semgrep OSS writes a word instead
    const score = Number(raw);
    if (Number.isFinite(score)) return severityFromCvss(score);
    const word = WORD_SEVERITY[String(raw).toUpperCase()];
    if (word) return word;
  }
  return LEVEL_SEVERITY[result.level ?? rule.defaultConfiguration?.level ?? 'warning'] ?? 'MEDIUM';
}

function messageText(message: Json | undefined, rule: Json): string | null {
  const template: unknown = message?.text ?? message?.markdown ?? (message?.id ? rule.messageStrings?.[message.id]?.text : undefined);
  if (typeof template !== 'string') return null;
  const args: unknown[] = Array.isArray(message?.arguments) ? message.arguments : [];
  return template.replace(/\{(\d+)\}/g, (whole, n) => (Number(n) < args.length ? String(args[Number(n)]) : whole));
}

function artifactPath(run: Json, location: Json | undefined): string | null {
  const uri: unknown = location?.uri ?? (Number.isInteger(location?.index) ? run.artifacts?.[location!.index]?.location?.uri : undefined);
  if (typeof uri !== 'string' || !uri) return null;
  if (!uri.startsWith('file:')) return decodeURIComponent(uri);
  try {
    return decodeURIComponent(new URL(uri).pathname).replace(/^\/([A-Za-z]:\/)/, '$1');
  } catch {
    return uri;
  }
}

function cweOf(run: Json, result: Json, rule: Json): number | null {
  for (const taxon of Array.isArray(result.taxa) ? result.taxa : []) {
    const component = taxon?.toolComponent?.name ?? (Number.isInteger(taxon?.toolComponent?.index) ? run.taxonomies?.[taxon.toolComponent.index]?.name : undefined);
    if (String(component).toUpperCase() === 'CWE' && /^\d+$/.test(String(taxon.id))) return Number(taxon.id);
  }
  for (const value of [result.properties?.cwe, rule.properties?.cwe]) {
    const m = /(\d+)/.exec(String(Array.isArray(value) ? value[0] : value ?? ''));
    if (m) return Number(m[1]);
  }
  // CodeQL tags "external/cwe/cwe-079", Semgrep "CWE-22: …"
  for (const tag of [...(rule.properties?.tags ?? []), ...(result.properties?.tags ?? [])]) {
    const m = /(?:^|\/)cwe-0*(\d+)/i.exec(String(tag));
    if (m) return Number(m[1]);
  }
  return null;
}

function vulnerabilityIds(ruleId: string | undefined, rule: Json, result: Json): string[] {
  // Trivy and Grype use the CVE / GHSA itself as the rule id
  const candidates = [ruleId, ...(rule.properties?.tags ?? []), ...(result.properties?.tags ?? [])];
  const ids = candidates.map((c) => /^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$/i.exec(String(c ?? ''))?.[0]).filter((id): id is string => !!id);
  return [...new Set(ids)];
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
