// A status change over a selection of findings: one updateFinding per finding (the API has no bulk
// mutation), a few at a time, and a summary that names every finding that failed and why, so a
// partial failure (say, a product the viewer may only read) is never hidden behind "done".
import type { FindingAction, FindingPatch, StatusFlags } from './findingActions';

export interface BulkTarget extends StatusFlags {
  id: string;
  title?: string | null;
}

export type BulkOutcome =
  | { id: string; title: string; status: 'changed' }
  | { id: string; title: string; status: 'skipped' }
  | { id: string; title: string; status: 'failed'; message: string };

/** runs one finding's change; resolves to null when it worked, or the server's message */
export type ApplyPatch = (id: string, patch: FindingPatch) => Promise<string | null>;

/** 4 in flight: each updateFinding is a small transaction, and 2 cores serve everyone */
const CONCURRENCY = 4;

export async function runBulkChange(targets: readonly BulkTarget[], action: FindingAction, apply: ApplyPatch, concurrency = CONCURRENCY): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = new Array(targets.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      const title = target.title || target.id;
      if (!action.appliesTo(target)) {
        outcomes[index] = { id: target.id, title, status: 'skipped' };
        continue;
      }
      try {
        const message = await apply(target.id, action.patch(target));
        outcomes[index] = message == null ? { id: target.id, title, status: 'changed' } : { id: target.id, title, status: 'failed', message };
      } catch (error) {
        outcomes[index] = { id: target.id, title, status: 'failed', message: error instanceof Error ? error.message : String(error) };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return outcomes;
}

export interface BulkSummary {
  /** one sentence: "2 of 3 findings closed; 1 failed." */
  text: string;
  tone: 'success' | 'partial' | 'failure';
  failures: Array<{ id: string; title: string; message: string }>;
  /** the ids that changed (the selection keeps only the failures, to retry or look at) */
  changedIds: string[];
}

const plural = (n: number) => (n === 1 ? 'finding' : 'findings');

export function summarizeBulk(outcomes: readonly BulkOutcome[], action: Pick<FindingAction, 'done'>): BulkSummary {
  const changed = outcomes.filter((o) => o.status === 'changed');
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  const failures = outcomes.flatMap((o) => (o.status === 'failed' ? [{ id: o.id, title: o.title, message: o.message }] : []));
  const parts = [`${changed.length} of ${outcomes.length} ${plural(outcomes.length)} ${action.done}`];
  if (skipped.length) parts.push(`${skipped.length} already ${action.done}`);
  if (failures.length) parts.push(`${failures.length} failed`);
  return {
    text: `${parts.join('; ')}.`,
    tone: failures.length === 0 ? 'success' : changed.length > 0 || skipped.length > 0 ? 'partial' : 'failure',
    failures,
    changedIds: changed.map((o) => o.id),
  };
}
