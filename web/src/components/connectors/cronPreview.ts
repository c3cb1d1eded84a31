// A schedule as people read it: the next runs of a 5-field cron expression, in UTC as the server
// runs it (jobs/schedule.ts) and in the reader's own time. croner computes the runs in the browser;
// the server checks the expression again with cron-parser, and its message wins when they differ.
import { Cron } from 'croner';

export type CronPreview =
  | { kind: 'manual' }
  | { kind: 'invalid'; problem: string }
  | { kind: 'runs'; runs: Date[] };

/** the next `count` runs after `from`; an empty expression means "only by hand" */
export function previewCron(expression: string, from: Date = new Date(), count = 3): CronPreview {
  const trimmed = expression.trim();
  if (!trimmed) return { kind: 'manual' };
  // the server takes exactly five fields (no seconds, no @daily): say so before it does
  if (trimmed.split(/\s+/).length !== 5) {
    return { kind: 'invalid', problem: 'Use 5 fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *".' };
  }
  try {
    const cron = new Cron(trimmed, { timezone: 'UTC', mode: '5-part', paused: true });
    const runs = cron.nextRuns(count, from);
    cron.stop();
    return runs.length > 0 ? { kind: 'runs', runs } : { kind: 'invalid', problem: 'This expression never runs.' };
  } catch (e) {
    return { kind: 'invalid', problem: (e as Error).message.replace(/^CronPattern:\s*/, '') };
  }
}

const UTC_FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Thu, 1 Jan 2026, 02:00 UTC" — with the reader's time when their zone is not UTC */
export function describeRun(run: Date, localFormat: Intl.DateTimeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })): string {
  const utc = `${UTC_FORMAT.format(run)} UTC`;
  const zone = localFormat.resolvedOptions().timeZone;
  return zone === 'UTC' || zone === 'Etc/UTC' ? utc : `${utc} (${localFormat.format(run)} your time)`;
}

/** one line for a screen reader or a narrow screen: "Next: Thu, 1 Jan 2026, 02:00 UTC, then …" */
export function summarizeCron(preview: CronPreview): string {
  if (preview.kind === 'manual') return 'Runs only when started by hand.';
  if (preview.kind === 'invalid') return preview.problem;
  return `Next runs: ${preview.runs.map((run) => describeRun(run)).join('; ')}.`;
}
