// SARIF 2.1.0 result → NormalizedFinding (research/connectors.md §9), one result at a time so that a
// report is read as a stream (sarif-parse.ts) and never held whole.
import { createHash } from 'node:crypto';
import { severityFromCvss, type Severity } from '../severity.ts';
import type { NormalizedFinding } from './kind.ts';
import { cveIdsIn, firstText } from './vendor-values.ts';

export type Json = Record<string, any>;

export class InvalidSarif extends Error {}

// DefectDojo's sarif parser (get_severity): error → High, warning → Medium, note and none → Info.
// Users moving from DefectDojo compare counts by severity, so a note is INFO here too.
const LEVEL_SEVERITY: Record<string, Severity> = { error: 'HIGH', warning: 'MEDIUM', note: 'INFO', none: 'INFO' };
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
  // a run that only says when it ended (endTimeUtc) is dated by that, not by the file's time
  const invocation = run.invocations?.[0];
  const stamp = invocation?.startTimeUtc ?? invocation?.endTimeUtc;
  const started = stamp ? new Date(stamp) : null;
  const date = started && !Number.isNaN(started.getTime()) ? started : fallbackDate;
  return { run, driverRules, rules, date, where: `runs[${r}]` };
}

/**
 * The findings a result stands for: one per location (as DefectDojo's parser makes them; mobsfscan
 * and njsscan list every occurrence of a rule as locations of one result), none for a result that
 * is not a finding (kind other than "fail").
 */
export function findingsOf(ctx: RunContext, result: unknown, i: number): NormalizedFinding[] {
  if (!isObject(result)) throw new InvalidSarif(`${ctx.where}.results[${i}] is not an object`);
  // DefectDojo imports only kind "fail" (the default); pass / notApplicable / informational are not findings
  if (result.kind !== undefined && result.kind !== 'fail') return [];
  const rule = ruleOf(result, ctx.driverRules, ctx.rules);
  const locations: unknown[] = Array.isArray(result.locations) && result.locations.length > 0 ? result.locations : [undefined];
  return locations.map((location) => normalizeResult(ctx.run, result, rule, ctx.date, `${ctx.where}.results[${i}]`,
    isObject(location) ? location : undefined, locations.length > 1));
}

/**
 * Whether a result points into run.artifacts or run.taxonomies by index while the run has not
 * declared them (yet): a streaming reader must hold it until the run's end to resolve it.
 */
export function refersAhead(run: Json, result: unknown): boolean {
  if (!isObject(result)) return false;
  const locations: unknown[] = Array.isArray(result.locations) ? result.locations : [];
  if (run.artifacts === undefined && locations.some((l) => {
    const at = isObject(l) ? l.physicalLocation?.artifactLocation : undefined;
    return at?.uri == null && Number.isInteger(at?.index);
  })) return true;
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

function normalizeResult(run: Json, result: Json, rule: Json, date: Date, where: string, location: Json | undefined, oneOfMany: boolean): NormalizedFinding {
  const ruleId: string | undefined = result.ruleId ?? result.rule?.id ?? rule.id;
  const message = messageText(result.message, rule);
  if (message === null) throw new InvalidSarif(`${where} has no message text`);
  const physical = location?.physicalLocation;
  const filePath = artifactPath(run, physical?.artifactLocation);
  const line = Number.isInteger(physical?.region?.startLine) ? physical.region.startLine : null;
  const endLine = Number.isInteger(physical?.region?.endLine) ? physical.region.endLine : null;
  const helpText: unknown = rule.help?.text;
  const helpIsUrl = typeof helpText === 'string' && /^https?:\/\/\S+$/.test(helpText.trim());
  const fullDescription = rule.fullDescription?.text ?? (helpIsUrl ? undefined : helpText);
  const suppressions: Json[] = Array.isArray(result.suppressions) ? result.suppressions : [];
  // "accepted" is the default status; "underReview" is a pending request, "rejected" a refused one
  const accepted = suppressions.filter((s) => !s?.status || s.status === 'accepted');
  const cwes = cwesOf(run, result, rule);
  const securitySeverity = Number(result.properties?.['security-severity'] ?? rule.properties?.['security-severity'] ?? NaN);
  const fingerprint = uniqueId(result);
  const driver = run.tool?.driver ?? {};
  return {
    title: firstText(rule.shortDescription?.text, rule.name, ruleId, message) ?? 'SARIF result',
    severity: severityOf(result, rule),
    description: fullDescription && fullDescription !== message ? `${message}\n\n${fullDescription}` : message,
    // a result's fingerprint names the result, not each of its locations: with several locations
    // each finding adds where it is, or reimport would collapse them into one
    uniqueIdFromTool: fingerprint !== null
      ? (oneOfMany ? `${fingerprint}|${filePath ?? ''}:${line ?? ''}` : fingerprint)
      : sha256([ruleId, filePath, line, message].join('|')),
    vulnIdFromTool: ruleId ?? null,
    filePath,
    line,
    endLine,
    cwe: cwes[0] ?? null,
    cwes,
    vulnerabilityIds: vulnerabilityIds(ruleId, rule, result),
    mitigation: fixesText(result.fixes),
    references: rule.helpUri ?? (helpIsUrl ? (helpText as string).trim() : null),
    // GitHub's security-severity is a CVSS base score (its thresholds are CVSS v3's)
    cvssScore: Number.isFinite(securitySeverity) && securitySeverity >= 0 && securitySeverity <= 10 ? securitySeverity : null,
    toolName: typeof driver.name === 'string' ? driver.name : null,
    toolVersion: stringOrNull(driver.semanticVersion ?? driver.version),
    staticFinding: true,
    dynamicFinding: false,
    date,
    falsePositive: accepted.length > 0,
    dismissed: accepted.length > 0,
    dismissedReason: accepted.map((s) => stringOrNull(s.justification)).filter((j) => j !== null).join('\n') || null,
    mitigated: result.baselineState === 'absent',
    mitigatedAt: result.baselineState === 'absent' ? date : null,
  };
}

/** SARIF `fixes[]`: each proposed fix's description, one per paragraph */
function fixesText(fixes: unknown): string | null {
  if (!Array.isArray(fixes)) return null;
  const texts = fixes.map((f) => (isObject(f) ? stringOrNull(f.description?.text ?? f.description?.markdown) : null)).filter((t) => t !== null);
  return texts.length > 0 ? texts.join('\n\n') : null;
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/** `fingerprints` (the newest version of a method wins) > `partialFingerprints` (DefectDojo's form) */
function uniqueId(result: Json): string | null {
  const full = isObject(result.fingerprints) ? Object.keys(result.fingerprints).sort(naturalOrder) : [];
  if (full.length) return fingerprintValue(result.fingerprints[full[full.length - 1]!]);
  const partial = isObject(result.partialFingerprints) ? Object.keys(result.partialFingerprints).sort() : [];
  if (partial.length) return partial.map((k) => `${k}:${fingerprintValue(result.partialFingerprints[k])}`).join('|');
  return null;
}

/** a fingerprint is a string in the spec; Black Duck writes `{"value": "…"}` (String() would give "[object Object]") */
function fingerprintValue(v: unknown): string {
  if (isObject(v)) return typeof v.value === 'string' || typeof v.value === 'number' ? String(v.value) : JSON.stringify(v);
  return String(v);
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

/**
 * Every CWE of a result, the first one strongest: the result's own taxa, then the rule's
 * relationships to a CWE taxonomy (the standard SARIF way, Flawfinder's), then `cwe` properties, then
 * tags (CodeQL's "external/cwe/cwe-079", Semgrep's "CWE-22: …").
 */
function cwesOf(run: Json, result: Json, rule: Json): number[] {
  const found: number[] = [];
  const add = (n: number) => { if (Number.isInteger(n) && n > 0 && !found.includes(n)) found.push(n); };
  const isCweComponent = (ref: Json | undefined) => {
    const name = ref?.name ?? (Number.isInteger(ref?.index) ? run.taxonomies?.[ref!.index]?.name : undefined);
    return String(name).toUpperCase() === 'CWE';
  };
  for (const taxon of Array.isArray(result.taxa) ? result.taxa : []) {
    if (isCweComponent(taxon?.toolComponent) && /^\d+$/.test(String(taxon.id))) add(Number(taxon.id));
  }
  for (const relation of Array.isArray(rule.relationships) ? rule.relationships : []) {
    const target = relation?.target;
    const id = /^(?:CWE-)?0*(\d+)$/i.exec(String(target?.id ?? ''));
    if (id && isCweComponent(target?.toolComponent)) add(Number(id[1]));
  }
  for (const value of [result.properties?.cwe, rule.properties?.cwe]) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const m = /(\d+)/.exec(String(v ?? ''));
      if (m) add(Number(m[1]));
    }
  }
  for (const tag of [...(rule.properties?.tags ?? []), ...(result.properties?.tags ?? [])]) {
    const m = /(?:^|\/)cwe-0*(\d+)/i.exec(String(tag));
    if (m) add(Number(m[1]));
  }
  return found;
}

function vulnerabilityIds(ruleId: string | undefined, rule: Json, result: Json): string[] {
  // Trivy uses the CVE / GHSA itself as the rule id; Grype writes "CVE-2008-0732-geronimo-1.1.1",
  // Black Duck names its rule "BDSA-2020-1001 (CVE-2020-11022)": a CVE is found anywhere in them
  const candidates = [ruleId, rule.name, ...(rule.properties?.tags ?? []), ...(result.properties?.tags ?? [])];
  const ids: string[] = [];
  for (const c of candidates) {
    const ghsa = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i.exec(String(c ?? ''))?.[0];
    if (ghsa) ids.push(ghsa);
    ids.push(...cveIdsIn(c));
  }
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
