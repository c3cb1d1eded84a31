// The scheduled checks (hourly, graphile-worker's crontab: once across all workers): findings past
// their SLA (one sla_breach_combined per product, each finding announced once), open engagements
// far enough past their end closed when auto-close is on, open engagements starting within 3 days
// and past their end date (each announced once), and alerts past their retention. Each takes `now`
// so tests run them against a clock of their own.
import type { Services } from '../services.ts';
import { AUTO_CLOSE_SQL } from '../operations/engagement-status.ts';
import { describeSla } from '../operations/sla.ts';
import { systemSettings } from './settings.ts';

export const SWEEP_TASK = 'notification_sweep';
/** DefectDojo's upcoming_engagement window */
const UPCOMING_DAYS = 3;

export interface SweepResult { slaBreaches: number; autoClosed: number; upcoming: number; stale: number; alertsRemoved: number }

export async function runSweeps(services: Pick<Services, 'pool' | 'prisma' | 'config'>, now = new Date()): Promise<SweepResult> {
  const at = now.toISOString();
  const q = (sql: string, params: unknown[]) => services.pool.query(sql, params);
  const sla = describeSla(await systemSettings(services.prisma));
  // findings whose SLA ran out since the product's last announcement
  const breaches = await q(`
    WITH last AS (
      SELECT "productId", max((payload->>'until')::timestamptz) AS until FROM "NotificationEvent"
       WHERE name = 'sla_breach_combined' GROUP BY "productId"),
    breached AS (
      SELECT e."productId", p.name AS product, array_agg(f.id ORDER BY f.severity, f.id) AS ids, count(*) AS n
        FROM "Finding" f JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId" JOIN "Product" p ON p.id = e."productId"
        LEFT JOIN last l ON l."productId" = e."productId"
       WHERE f.active AND f."slaExpirationDate" <= $1::timestamptz AND f."slaExpirationDate" > coalesce(l.until, '-infinity')
       GROUP BY e."productId", p.name)
    INSERT INTO "NotificationEvent" (name, "productId", payload)
    SELECT 'sla_breach_combined', b."productId", json_build_object(
      'title', b.n || CASE WHEN b.n = 1 THEN ' finding' ELSE ' findings' END || ' past their SLA in ' || b.product,
      'description', 'These active findings were not fixed within the days their severity allows (' || $2 || ' days).',
      'path', '/products/' || b."productId", 'findingIds', b.ids[1:100], 'until', $1::text)
    FROM breached b`, [at, sla]);
  const autoClosed = await q(AUTO_CLOSE_SQL, [at]);
  const upcoming = await q(`
    INSERT INTO "NotificationEvent" (name, "productId", payload)
    SELECT 'upcoming_engagement', e."productId", json_build_object('engagementId', e.id,
      'title', 'Engagement ' || e.name || ' of ' || p.name || ' starts ' || to_char(e."targetStart", 'YYYY-MM-DD'),
      'description', e.description, 'path', '/products/' || e."productId")
      FROM "Engagement" e JOIN "Product" p ON p.id = e."productId"
     WHERE e.status = 'IN_PROGRESS' AND e."targetStart" > $1::timestamptz AND e."targetStart" <= $1::timestamptz + make_interval(days => $2)
       AND NOT EXISTS (SELECT 1 FROM "NotificationEvent" n WHERE n.name = 'upcoming_engagement' AND (n.payload->>'engagementId')::int = e.id)`, [at, UPCOMING_DAYS]);
  const stale = await q(`
    INSERT INTO "NotificationEvent" (name, "productId", payload)
    SELECT 'stale_engagement', e."productId", json_build_object('engagementId', e.id,
      'title', 'Engagement ' || e.name || ' of ' || p.name || ' is past its end date (' || to_char(e."targetEnd", 'YYYY-MM-DD') || ')',
      'description', e.description, 'path', '/products/' || e."productId")
      FROM "Engagement" e JOIN "Product" p ON p.id = e."productId"
     WHERE e.status = 'IN_PROGRESS' AND e."targetEnd" < $1::timestamptz
       AND NOT EXISTS (SELECT 1 FROM "NotificationEvent" n WHERE n.name = 'stale_engagement' AND (n.payload->>'engagementId')::int = e.id)`, [at]);
  const alerts = await q(`DELETE FROM "Alert" WHERE "createdAt" < $1::timestamptz - make_interval(days => $2)`, [at, services.config.alertRetentionDays]);
  return { slaBreaches: breaches.rowCount ?? 0, autoClosed: autoClosed.rowCount ?? 0, upcoming: upcoming.rowCount ?? 0, stale: stale.rowCount ?? 0, alertsRemoved: alerts.rowCount ?? 0 };
}
