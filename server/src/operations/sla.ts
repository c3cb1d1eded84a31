// DefectDojo's SLA: an active finding must be fixed within the days its severity allows, counted
// from its SLA start (the finding's date, as DefectDojo's get_sla_start_date() falls back to it).
// The days are the instance's system settings (defaults Critical 7, High 30, Medium 90, Low 120:
// DefectDojo's SLA_Configuration); Info has none. This module is the only place they are read.
import type { Prisma, SystemSettings } from '@tributary/db';
import type { Severity } from '../severity.ts';

export type SlaDays = Pick<SystemSettings, 'slaCriticalDays' | 'slaHighDays' | 'slaMediumDays' | 'slaLowDays'>;

export const SLA_FIELDS = ['slaCriticalDays', 'slaHighDays', 'slaMediumDays', 'slaLowDays'] as const satisfies ReadonlyArray<keyof SlaDays>;

const COLUMN: Partial<Record<Severity, keyof SlaDays>> = {
  CRITICAL: 'slaCriticalDays', HIGH: 'slaHighDays', MEDIUM: 'slaMediumDays', LOW: 'slaLowDays',
};

/**
 * The days for the severity expression `severity`, read from the settings row. Each arm is an
 * uncorrelated subquery, so PostgreSQL evaluates it once per statement (an InitPlan), not per row:
 * a 100,000-finding insert reads the row four times.
 */
export function slaDaysSql(severity: string): string {
  const arms = Object.entries(COLUMN).map(([s, column]) => `WHEN '${s}' THEN (SELECT "${column}" FROM "SystemSettings" WHERE id = 1)`);
  return `CASE ${severity} ${arms.join(' ')} END`;
}

/** the SLA expiration of a finding starting at `start` with severity `severity` (SQL expressions) */
export function slaExpirationSql(start: string, severity: string): string {
  return `${start} + make_interval(days => ${slaDaysSql(severity)})`;
}

/** "Critical 7, High 30, Medium 90, Low 120" */
export function describeSla(days: SlaDays): string {
  return Object.entries(COLUMN).map(([s, column]) => `${s[0]}${s.slice(1).toLowerCase()} ${days[column!]}`).join(', ');
}

/** graphile-worker task that moves every finding's SLA expiration to the days now configured */
export const SLA_RECOMPUTE_TASK = 'recompute_sla';

/**
 * Settings changed: every finding with an SLA start gets the expiration the new days give it
 * (DefectDojo recomputes too when an SLA_Configuration changes). Rows already right are not
 * rewritten, so saving unchanged days costs one read of the table.
 */
export async function recomputeSlaExpirations(db: Prisma.TransactionClient | { $executeRawUnsafe(sql: string): Promise<number> }): Promise<number> {
  return db.$executeRawUnsafe(`
    UPDATE "Finding" f SET "slaExpirationDate" = x.due
      FROM (SELECT id, ${slaExpirationSql('"slaStartDate"', 'severity')} AS due FROM "Finding" WHERE "slaStartDate" IS NOT NULL) x
     WHERE f.id = x.id AND f."slaExpirationDate" IS DISTINCT FROM x.due`);
}

/**
 * A finding written by hand, or whose severity changed: its SLA starts at its date (or now, when it
 * has none and never had a start) and ends after its severity's days.
 */
export async function refreshSla(tx: Prisma.TransactionClient, findingId: number): Promise<void> {
  await tx.$executeRawUnsafe(`
    UPDATE "Finding" SET "slaStartDate" = coalesce("slaStartDate", date, "createdAt"),
      "slaExpirationDate" = ${slaExpirationSql('coalesce("slaStartDate", date, "createdAt")', 'severity')}
     WHERE id = $1`, findingId);
}

/** queues the recompute in the transaction that saved the days; saves in quick succession run it once */
export async function queueSlaRecompute(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT graphile_worker.add_job(${SLA_RECOMPUTE_TASK}, '{}'::json, job_key => ${SLA_RECOMPUTE_TASK}, max_attempts => 5)`;
}
