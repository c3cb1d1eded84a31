// What every Operation reports (CONTRACT.md: Operation.stats), stored as its `stats` JSON; every
// field present, zero or empty by default.
export interface OperationStats {
  recordsDiscovered: number;
  recordsNew: number;
  recordsMissing: number;
  recordsSynced: number;
  findingsNew: number;
  findingsClosed: number;
  findingsReactivated: number;
  findingsUntouched: number;
  /** findings of a sync's reports that could not be imported (bad input) */
  findingsRejected: number;
  /** why, for the first of them (reimport.ts REJECTIONS_KEPT), in import order */
  rejections: FindingRejection[];
}

/** A finding a sync could not import: the record (its VEP key) it came from, and the reason. */
export interface FindingRejection {
  record: string;
  reason: string;
}

/**
 * A finding reimport could not take, by position in the report (0-based across pages); `service` is
 * the rejected finding's own, when it named one: sync sets it to the record's VEP key.
 */
export interface Rejection {
  index: number;
  reason: string;
  service?: string;
}

export function emptyStats(): OperationStats {
  return {
    recordsDiscovered: 0, recordsNew: 0, recordsMissing: 0, recordsSynced: 0,
    findingsNew: 0, findingsClosed: 0, findingsReactivated: 0, findingsUntouched: 0, findingsRejected: 0, rejections: [],
  };
}
