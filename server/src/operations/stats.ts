// The numbers every Operation reports (CONTRACT.md: Operation.stats); all present, zero by default.
export interface OperationStats {
  recordsDiscovered: number;
  recordsNew: number;
  recordsMissing: number;
  recordsSynced: number;
  findingsNew: number;
  findingsClosed: number;
  findingsReactivated: number;
  findingsUntouched: number;
}

export function emptyStats(): OperationStats {
  return { recordsDiscovered: 0, recordsNew: 0, recordsMissing: 0, recordsSynced: 0, findingsNew: 0, findingsClosed: 0, findingsReactivated: 0, findingsUntouched: 0 };
}
