// How an operation reads in a table: its live progress (Operation.progress is JSON the worker writes
// while RUNNING: recordsDone, recordsTotal, findings for a sync; recordsDiscovered for a discover)
// and its stats in a line.
import type { ResultOf } from '../../graphql/tada';
import type { OperationFields } from '../../graphql/operations';

export type OperationRow = ResultOf<typeof OperationFields>;

export interface OperationProgress {
  /** null: indeterminate (a discover does not know how many projects the tool has) */
  value: number | null;
  max: number;
  text: string;
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
const plural = (n: number, noun: string) => `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;

export function isActive(operation: Pick<OperationRow, 'status'> | null | undefined): boolean {
  return operation?.status === 'PENDING' || operation?.status === 'RUNNING';
}

/** null when the operation is not active */
export function operationProgress(operation: Pick<OperationRow, 'status' | 'type' | 'progress'>): OperationProgress | null {
  if (!isActive(operation)) return null;
  if (operation.status === 'PENDING') return { value: null, max: 1, text: 'Waiting for a worker' };
  const progress = (operation.progress && typeof operation.progress === 'object' ? operation.progress : {}) as Record<string, unknown>;
  if (operation.type === 'SYNC') {
    const done = count(progress.recordsDone);
    const total = count(progress.recordsTotal);
    const findings = count(progress.findings);
    if (total === null || done === null) return { value: null, max: 1, text: 'Starting' };
    const parts = [`${done.toLocaleString()} of ${plural(total, 'record')}`];
    if (findings !== null) parts.push(plural(findings, 'finding'));
    return total === 0 ? { value: 1, max: 1, text: 'No mapped records' } : { value: Math.min(done, total), max: total, text: parts.join(' · ') };
  }
  const discovered = count(progress.recordsDiscovered);
  return { value: null, max: 1, text: discovered === null ? 'Listing projects' : `${plural(discovered, 'project')} found` };
}

/** "12 new · 3 closed · 40 untouched" for a sync, "8 found · 2 new · 1 missing" for a discover; zeros left out */
export function statsLine(operation: Pick<OperationRow, 'type' | 'stats'>): string {
  const s = operation.stats;
  if (!s) return '—';
  const parts: Array<[number | null | undefined, string]> = operation.type === 'SYNC'
    ? [[s.recordsSynced, s.recordsSynced === 1 ? 'record synced' : 'records synced'], [s.findingsNew, 'new'], [s.findingsClosed, 'closed'], [s.findingsReactivated, 'reactivated'], [s.findingsUntouched, 'untouched'], [s.findingsRejected, 'rejected']]
    : [[s.recordsDiscovered, 'found'], [s.recordsNew, 'new'], [s.recordsMissing, 'missing']];
  const shown = parts.filter(([n]) => typeof n === 'number' && n > 0).map(([n, label]) => `${n!.toLocaleString()} ${label}`);
  return shown.length > 0 ? shown.join(' · ') : 'nothing changed';
}

export const TYPE_LABELS: Record<string, string> = { DISCOVER: 'Discover', SYNC: 'Sync' };
export const TRIGGER_LABELS: Record<string, string> = { MANUAL: 'Manual', SCHEDULED: 'Scheduled' };
