// The one severity scale, worst first, and the words tools use for it. The list is Prisma's
// Severity enum, so schema.prisma is its only source; it declares the values worst first, as
// DefectDojo's numerical_severity S0–S4 runs, and PostgreSQL sorts the enum in that order too.
import { Severity as SeverityEnum } from '@tributary/db';
import type { Severity } from '@tributary/db';

export type { Severity };

export const SEVERITIES: readonly Severity[] = Object.freeze(Object.values(SeverityEnum));

const SEVERITY_SET = new Set<string>(SEVERITIES);

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && SEVERITY_SET.has(value);
}

/** Lower is worse, as DefectDojo's numerical_severity S0–S4; -1 for a word that is not a severity. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Sorts worst first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank(a) - severityRank(b);
}

/** CVSS v3's qualitative rating of a base score (GitHub's thresholds for SARIF security-severity too). */
export function severityFromCvss(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  return score > 0 ? 'LOW' : 'INFO';
}

// Words tools use for severity. Sonar's own scale (blocker/major/minor) follows DefectDojo's
// SonarQube parser; SARIF levels follow its SARIF parser (error → High, warning → Medium, note and
// none → Info); "moderate" is GitHub's and npm's medium;
// "unassigned" is Dependency-Track's and DefectDojo files it under Info.
const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'CRITICAL', blocker: 'CRITICAL', s0: 'CRITICAL',
  high: 'HIGH', error: 'HIGH', severe: 'HIGH', important: 'HIGH', s1: 'HIGH',
  medium: 'MEDIUM', moderate: 'MEDIUM', major: 'MEDIUM', warning: 'MEDIUM', s2: 'MEDIUM',
  low: 'LOW', minor: 'LOW', s3: 'LOW',
  info: 'INFO', informational: 'INFO', information: 'INFO', note: 'INFO', none: 'INFO', unassigned: 'INFO', s4: 'INFO',
};

/** Maps a tool's severity word to ours; null when the word means nothing we know (the finding is then rejected). */
export function normalizeSeverity(word: unknown): Severity | null {
  if (typeof word !== 'string') return null;
  if (isSeverity(word)) return word;
  return SEVERITY_WORDS[word.trim().toLowerCase()] ?? null;
}
