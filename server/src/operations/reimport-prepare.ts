// Turns whatever a connector handed over into a row PostgreSQL will accept, or a reason it cannot.
// Connectors are typed, but their input is a vendor's JSON: every field is treated as untrusted here
// so that one odd finding is normalized or rejected, never a failed (rolled back) sync.
import type { HashField, NormalizedFinding } from '../connectors/kind.ts';
import crypto from 'node:crypto';
import { canonicalVulnerabilityId } from '../connectors/vendor-values.ts';
import { normalizeSeverity, type Severity } from '../severity.ts';
import { computeHashCode } from './dedupe.ts';
import { sanitizeLine, sanitizeText } from './finding-text.ts';

// Column caps are DefectDojo's Finding max_lengths, so a finding that fits there fits here.
// Long text is capped at 65,536 characters, GitHub's limit for an issue body, so any finding can
// still be pushed to an issue tracker whole; a 5 MB description would otherwise be stored 100k times.
export const LIMITS = {
  title: 511,
  longText: 65_536,
  filePath: 4000,
  componentName: 500,
  componentVersion: 100,
  uniqueId: 500,
  service: 200,
  cvssVector: 117,
  fixVersion: 100,
  url: 2000,
  vulnerabilityId: 50,
  vulnerabilityIdCount: 100,
  cweCount: 50,
  toolName: 200,
  toolVersion: 100,
  codeClassification: 50,
  dismissedBy: 200,
} as const;

export const UNTITLED = 'Untitled finding';

/** One finding, sanitized, with its hash_code: exactly the values the staging tables receive. */
export interface PreparedFinding {
  title: string;
  description: string;
  severity: Severity;
  uniqueIdFromTool: string | null;
  vulnIdFromTool: string | null;
  filePath: string | null;
  line: number | null;
  cwe: number | null;
  vulnerabilityIds: string[];
  componentName: string | null;
  componentVersion: string | null;
  service: string | null;
  mitigation: string | null;
  references: string | null;
  vendorUrl: string | null;
  cvssScore: number | null;
  cvssVector: string | null;
  epssScore: number | null;
  fixAvailable: boolean | null;
  fixVersion: string | null;
  cvssV4Score: number | null;
  cvssV4Vector: string | null;
  epssPercentile: number | null;
  knownExploited: boolean;
  cwes: number[];
  endLine: number | null;
  toolName: string | null;
  toolVersion: string | null;
  codeClassification: string | null;
  dismissed: boolean;
  dismissedBy: string | null;
  dismissedAt: Date | null;
  dismissedReason: string | null;
  staticFinding: boolean;
  dynamicFinding: boolean;
  date: Date | null;
  falsePositive: boolean;
  riskAccepted: boolean;
  outOfScope: boolean;
  verified: boolean;
  mitigated: boolean;
  mitigatedAt: Date | null;
  hashCode: string;
  /** digest of the tool-owned details (DETAIL_FIELDS): a re-sync rewrites them only when it changes */
  detailsDigest: string;
}

/**
 * The columns the tool owns and a re-sync rewrites whenever the tool changes them (scores, links,
 * classification, its dismissal). Status flags and the dedupe keys follow DefectDojo's reimport rules
 * instead (reimport-apply.ts).
 */
export const DETAIL_FIELDS = ['vendorUrl', 'cvssScore', 'cvssVector', 'cvssV4Score', 'cvssV4Vector', 'epssScore', 'epssPercentile',
  'knownExploited', 'cwes', 'endLine', 'toolName', 'toolVersion', 'codeClassification', 'dismissed', 'dismissedBy', 'dismissedAt',
  'dismissedReason'] as const satisfies readonly (keyof PreparedFinding)[];

/** A rejection names the finding's service when it has one (sync sets it to the record's VEP key). */
export type Prepared = { ok: true; finding: PreparedFinding } | { ok: false; reason: string; service?: string };

export function prepareFinding(raw: unknown, hashFields: readonly HashField[]): Prepared {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not a finding object' };
  const f = raw as Partial<Record<keyof NormalizedFinding, unknown>>;
  const severity = normalizeSeverity(f.severity);
  if (!severity) {
    // sanitized because reasons are stored (TestImport.rejections): the cut may split a surrogate pair
    const word = sanitizeLine(JSON.stringify(String(f.severity ?? '')).slice(0, 80), 80);
    return { ok: false, reason: `unknown severity ${word}`, service: sanitizeLine(f.service, LIMITS.service) ?? undefined };
  }

  const description = sanitizeText(f.description, LIMITS.longText);
  const vulnIdFromTool = sanitizeLine(f.vulnIdFromTool, LIMITS.uniqueId);
  const vulnerabilityIds = vulnerabilityIdList(f.vulnerabilityIds);
  const componentName = sanitizeLine(f.componentName, LIMITS.componentName);
  const cwes = cweList(f.cwe, f.cwes);
  const line = integerIn(f.line, 0);
  const endLine = integerIn(f.endLine, 0);
  const dismissed = f.dismissed === true;
  const p: PreparedFinding = {
    title: sanitizeLine(f.title, LIMITS.title) ?? derivedTitle(vulnIdFromTool ?? vulnerabilityIds[0] ?? null, componentName, description),
    description,
    severity,
    uniqueIdFromTool: sanitizeLine(f.uniqueIdFromTool, LIMITS.uniqueId),
    vulnIdFromTool,
    filePath: sanitizeLine(f.filePath, LIMITS.filePath),
    line,
    cwe: cwes[0] ?? null,
    vulnerabilityIds,
    componentName,
    componentVersion: sanitizeLine(f.componentVersion, LIMITS.componentVersion),
    service: sanitizeLine(f.service, LIMITS.service),
    mitigation: optionalText(f.mitigation),
    references: optionalText(f.references),
    vendorUrl: sanitizeLine(f.vendorUrl, LIMITS.url),
    cvssScore: numberIn(f.cvssScore, 0, 10),
    cvssVector: sanitizeLine(f.cvssVector, LIMITS.cvssVector),
    epssScore: numberIn(f.epssScore, 0, 1),
    fixAvailable: typeof f.fixAvailable === 'boolean' ? f.fixAvailable : null,
    fixVersion: sanitizeLine(f.fixVersion, LIMITS.fixVersion),
    cvssV4Score: numberIn(f.cvssV4Score, 0, 10),
    cvssV4Vector: sanitizeLine(f.cvssV4Vector, LIMITS.cvssVector),
    epssPercentile: numberIn(f.epssPercentile, 0, 1),
    knownExploited: f.knownExploited === true,
    cwes,
    // an end line equal to the start (or before it) says nothing more than `line`
    endLine: endLine !== null && line !== null && endLine > line ? endLine : null,
    toolName: sanitizeLine(f.toolName, LIMITS.toolName),
    toolVersion: sanitizeLine(f.toolVersion, LIMITS.toolVersion),
    codeClassification: sanitizeLine(typeof f.codeClassification === 'string' ? f.codeClassification.toLowerCase() : null, LIMITS.codeClassification),
    dismissed,
    dismissedBy: dismissed ? sanitizeLine(f.dismissedBy, LIMITS.dismissedBy) : null,
    dismissedAt: dismissed ? validDate(f.dismissedAt) : null,
    dismissedReason: dismissed ? optionalText(f.dismissedReason) : null,
    staticFinding: f.staticFinding === true,
    dynamicFinding: f.dynamicFinding === true,
    date: validDate(f.date),
    falsePositive: f.falsePositive === true,
    riskAccepted: f.riskAccepted === true,
    outOfScope: f.outOfScope === true,
    verified: f.verified === true,
    mitigated: f.mitigated === true,
    mitigatedAt: f.mitigated === true ? validDate(f.mitigatedAt) : null,
    hashCode: '',
    detailsDigest: '',
  };
  p.hashCode = computeHashCode(p, hashFields);
  p.detailsDigest = detailsDigest(p);
  return { ok: true, finding: p };
}

/** sha1 of the details as JSON (dates as ISO strings): 28 characters a re-sync compares per finding */
function detailsDigest(p: PreparedFinding): string {
  return crypto.hash('sha1', JSON.stringify(DETAIL_FIELDS.map((k) => p[k])), 'base64');
}

/** the primary CWE first (`cwe`, else the first of `cwes`), then the others in order, each once */
function cweList(primary: unknown, all: unknown): number[] {
  const list = new Set<number>();
  const first = cweNumber(primary);
  if (first !== null) list.add(first);
  if (Array.isArray(all)) for (const x of all) {
    const n = cweNumber(x);
    if (n !== null) list.add(n);
    if (list.size === LIMITS.cweCount) break;
  }
  return [...list];
}

function derivedTitle(vulnId: string | null, component: string | null, description: string): string {
  if (vulnId) return (component ? `${vulnId} in ${component}` : vulnId).slice(0, LIMITS.title);
  const firstLine = description.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return firstLine ? sanitizeLine(firstLine, 120)! : UNTITLED;
}

function optionalText(v: unknown): string | null {
  if (v == null) return null;
  const s = sanitizeText(v, LIMITS.longText);
  return s.trim() === '' ? null : s;
}

function vulnerabilityIdList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const ids = new Set<string>();
  for (const x of v) {
    const id = sanitizeLine(x, LIMITS.vulnerabilityId);
    if (id) ids.add(canonicalVulnerabilityId(id));
    if (ids.size === LIMITS.vulnerabilityIdCount) break;
  }
  return [...ids];
}

const INT4_MAX = 2_147_483_647;

function integerIn(v: unknown, min: number): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= INT4_MAX ? n : null;
}

function cweNumber(v: unknown): number | null {
  if (typeof v === 'string') {
    const m = /^\s*(?:cwe-?)?(\d+)\s*$/i.exec(v);
    return m ? integerIn(Number(m[1]), 1) : null;
  }
  return integerIn(v, 1);
}

function numberIn(v: unknown, min: number, max: number): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : null;
}

function validDate(v: unknown): Date | null {
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
  // PostgreSQL's timestamp reads four-digit years only in the ISO form toISOString() writes
  return d && Number.isFinite(d.getTime()) && d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999 ? d : null;
}
