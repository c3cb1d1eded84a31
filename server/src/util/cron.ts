// Cron expressions (5 fields, UTC) as connectors' discover and sync schedules use them.
import { CronExpressionParser } from 'cron-parser';

/** null when valid, else a message naming the problem */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `"${expression}" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return null;
  } catch (e) {
    return `"${expression}" is not a valid cron expression: ${(e as Error).message}`;
  }
}

export function nextRun(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
}
