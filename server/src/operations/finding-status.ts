// A finding's status rule, DefectDojo's: it is active unless it is a false positive, risk accepted,
// out of scope, mitigated or a duplicate. Written once for TypeScript (edits through the API) and
// once as the SQL expression the reimport writes with, side by side so the two cannot drift.
export interface StatusFlags {
  falsePositive: boolean;
  riskAccepted: boolean;
  outOfScope: boolean;
  isMitigated: boolean;
  duplicate: boolean;
}

/** the flags a person may set on a finding (the API's updateFinding); each change restamps lastStatusUpdate */
export const STATUS_FLAGS = ['verified', 'falsePositive', 'riskAccepted', 'outOfScope', 'underReview', 'isMitigated'] as const;

export function isActive(f: StatusFlags): boolean {
  return !(f.falsePositive || f.riskAccepted || f.outOfScope || f.isMitigated || f.duplicate);
}

/** the same rule over SQL boolean expressions, one per flag (`'false'` for a flag that cannot be set there) */
export function activeSql(f: Record<keyof StatusFlags, string>): string {
  return `NOT (${f.falsePositive} OR ${f.riskAccepted} OR ${f.outOfScope} OR ${f.isMitigated} OR ${f.duplicate})`;
}
