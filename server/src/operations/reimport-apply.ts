// The set-based half of reimport: once every incoming finding sits in reimport_staging, each step
// below is one statement over the whole set (research/defectdojo.md §2b, "Reimport algorithm").
import type pg from 'pg';
import type { DedupeAlgorithm } from '../connectors/kind.ts';

/**
 * One row per staged finding: the existing finding it matches (the lowest id, as DefectDojo takes
 * matched_findings[0]) and what happens to it. A uid match is preferred over a hash match. Under
 * `unique_id_from_tool` a staged finding without a uid matches by hash only findings without a uid.
 *
 * Outcomes, checked in DefectDojo's order (existing special status, then mitigated, then active):
 * - new          nothing matched
 * - repeat       an earlier staged finding already matched the same existing one (only possible
 *                when uid and hash point at different findings); it changes nothing
 * - untouched    matched and nothing to carry over; a finding the team risk-accepted and
 *                deactivated is never touched by the tool
 * - updated      the tool reports a status the finding lacks: false positive / risk accepted / out
 *                of scope are added (never cleared: a local triage survives a tool that does not
 *                know it), and fixed closes it with the tool's mitigation date
 * - reactivated  mitigated here, open at the tool
 * - kept_closed  the same, with doNotReactivate: it stays closed (reported as untouched)
 */
const PLAN_SQL = `
CREATE TEMP TABLE reimport_plan ON COMMIT DROP AS
WITH by_uid AS (
  SELECT "uniqueIdFromTool" AS k, min(id) AS id FROM "Finding"
  WHERE "testId" = $1 AND "uniqueIdFromTool" IS NOT NULL GROUP BY 1
), by_hash AS (
  SELECT "hashCode" AS k, min(id) AS id FROM "Finding"
  WHERE "testId" = $1 AND "hashCode" IS NOT NULL AND ($2::text <> 'unique_id_from_tool' OR "uniqueIdFromTool" IS NULL)
  GROUP BY 1
), matched AS (
  SELECT s.ord, COALESCE(u.id, h.id) AS fid
  FROM reimport_staging s LEFT JOIN by_uid u ON u.k = s.match_uid LEFT JOIN by_hash h ON h.k = s.match_hash
), ranked AS (
  SELECT ord, fid, CASE WHEN fid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY fid ORDER BY ord) END AS rn
  FROM matched
)
SELECT r.ord, r.fid, CASE
  WHEN r.fid IS NULL THEN 'new'
  WHEN r.rn > 1 THEN 'repeat'
  WHEN f."riskAccepted" AND NOT f.active THEN 'untouched'
  WHEN f."falsePositive" OR f."riskAccepted" OR f."outOfScope" THEN
    CASE WHEN adds_flags OR (s.mitigated AND NOT f."isMitigated") THEN 'updated' ELSE 'untouched' END
  WHEN f."isMitigated" THEN
    CASE WHEN s.mitigated THEN 'untouched' WHEN $3::boolean THEN 'kept_closed' ELSE 'reactivated' END
  WHEN adds_flags OR s.mitigated THEN 'updated'
  ELSE 'untouched'
END AS outcome
FROM ranked r
JOIN reimport_staging s ON s.ord = r.ord
LEFT JOIN "Finding" f ON f.id = r.fid
CROSS JOIN LATERAL (SELECT (s.false_positive AND NOT f."falsePositive") OR (s.risk_accepted AND NOT f."riskAccepted")
                           OR (s.out_of_scope AND NOT f."outOfScope") AS adds_flags) x`;

export async function planOutcomes(client: pg.PoolClient, testId: number, algorithm: DedupeAlgorithm, doNotReactivate: boolean): Promise<void> {
  await client.query(PLAN_SQL, [testId, algorithm, doNotReactivate]);
  // temp tables have no statistics until analysed; without them the joins below are planned for
  // ~1,000 rows and pick nested loops even for 100k
  await client.query('ANALYZE reimport_plan');
}

/**
 * Status changes of matched findings, plus what DefectDojo syncs silently on every match:
 * fix_available / fix_version when they differ, component name / version when ours is empty.
 */
const APPLY_MATCHED_SQL = `
UPDATE "Finding" f SET
  "falsePositive" = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."falsePositive" OR s.false_positive ELSE f."falsePositive" END,
  "riskAccepted"  = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."riskAccepted" OR s.risk_accepted ELSE f."riskAccepted" END,
  "outOfScope"    = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."outOfScope" OR s.out_of_scope ELSE f."outOfScope" END,
  active = CASE p.outcome
    WHEN 'updated' THEN false
    WHEN 'reactivated' THEN NOT f.duplicate AND NOT (s.false_positive OR s.risk_accepted OR s.out_of_scope)
    ELSE f.active END,
  "isMitigated" = CASE p.outcome WHEN 'updated' THEN f."isMitigated" OR s.mitigated WHEN 'reactivated' THEN false ELSE f."isMitigated" END,
  "mitigatedAt" = CASE
    WHEN p.outcome = 'updated' AND s.mitigated AND NOT f."isMitigated" THEN COALESCE(s.mitigated_at, $1::timestamp)
    WHEN p.outcome = 'reactivated' THEN NULL
    ELSE f."mitigatedAt" END,
  "mitigatedById" = CASE WHEN p.outcome = 'reactivated' THEN NULL ELSE f."mitigatedById" END,
  "lastStatusUpdate" = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN $1::timestamp ELSE f."lastStatusUpdate" END,
  "fixAvailable" = s.fix_available,
  "fixVersion" = CASE WHEN f."fixAvailable" IS DISTINCT FROM s.fix_available THEN s.fix_version ELSE f."fixVersion" END,
  "componentName" = COALESCE(NULLIF(f."componentName", ''), s.component_name),
  "componentVersion" = COALESCE(NULLIF(f."componentVersion", ''), s.component_version),
  "updatedAt" = $1::timestamp
FROM reimport_plan p JOIN reimport_staging s ON s.ord = p.ord
WHERE f.id = p.fid AND p.outcome <> 'repeat' AND (
  p.outcome IN ('updated', 'reactivated')
  OR f."fixAvailable" IS DISTINCT FROM s.fix_available
  OR (NULLIF(f."componentName", '') IS NULL AND s.component_name IS NOT NULL)
  OR (NULLIF(f."componentVersion", '') IS NULL AND s.component_version IS NOT NULL))`;

const NOTE_MATCHED_SQL = `
INSERT INTO "FindingNote" ("findingId", text, "createdAt")
SELECT p.fid, CASE p.outcome WHEN 'reactivated' THEN $2 ELSE $3 END, $1::timestamp
FROM reimport_plan p
WHERE p.outcome = 'reactivated'
   OR (p.outcome = 'kept_closed' AND NOT EXISTS (SELECT 1 FROM "FindingNote" n WHERE n."findingId" = p.fid AND n.text = $3))`;

export async function applyMatched(client: pg.PoolClient, now: Date, scanType: string): Promise<void> {
  await client.query(APPLY_MATCHED_SQL, [now.toISOString()]);
  await client.query(NOTE_MATCHED_SQL, [
    now.toISOString(),
    `Re-activated by ${scanType} re-upload.`,
    `Finding has skipped reactivation from ${scanType} re-upload with user decision do_not_reactivate.`,
  ]);
}

/**
 * DefectDojo's close_old_findings, scoped to this test: whatever the fetch did not return is
 * mitigated (never deleted), keeping an earlier mitigation date, with its note. Findings that are
 * already closed with a date are left alone, so an identical re-sync closes nothing.
 */
const CLOSE_ABSENT_SQL = `
WITH closed AS (
  UPDATE "Finding" f SET active = false, "isMitigated" = true, "mitigatedAt" = COALESCE(f."mitigatedAt", $2::timestamp),
    "lastStatusUpdate" = $2::timestamp, "updatedAt" = $2::timestamp
  WHERE f."testId" = $1 AND (f.active OR NOT f."isMitigated" OR f."mitigatedAt" IS NULL)
    AND NOT EXISTS (SELECT 1 FROM reimport_plan p WHERE p.fid = f.id)
  RETURNING f.id
), noted AS (
  INSERT INTO "FindingNote" ("findingId", text, "createdAt") SELECT id, $3, $2::timestamp FROM closed
)
SELECT COALESCE(array_agg(id ORDER BY id), '{}') AS ids FROM closed`;

export async function closeAbsent(client: pg.PoolClient, testId: number, now: Date, scanType: string): Promise<number[]> {
  const r = await client.query<{ ids: number[] }>(CLOSE_ABSENT_SQL, [testId, now.toISOString(), `Mitigated by ${scanType} re-upload.`]);
  return r.rows[0]!.ids;
}

// DefectDojo's SLA_Configuration defaults, in days; Info has no SLA
const SLA_DAYS = `CASE s.severity WHEN 'CRITICAL' THEN 7 WHEN 'HIGH' THEN 30 WHEN 'MEDIUM' THEN 90 WHEN 'LOW' THEN 120 END`;

/**
 * New findings, in report order (so ids follow it). The SLA clock starts at the finding's date, as
 * DefectDojo's get_sla_start_date() falls back to it. A finding the tool already reports as fixed,
 * false positive, accepted or out of scope is created inactive with that status.
 */
const INSERT_NEW_SQL = `
WITH created AS (
  INSERT INTO "Finding" ("testId", title, description, severity, active, verified, "falsePositive", "riskAccepted",
    "outOfScope", "isMitigated", "mitigatedAt", "lastStatusUpdate", "hashCode", "uniqueIdFromTool", "vulnIdFromTool",
    "filePath", line, cwe, "vulnerabilityIds", "componentName", "componentVersion", service, "staticFinding",
    "dynamicFinding", mitigation, "references", "vendorUrl", "fixAvailable", "fixVersion", "cvssScore", "cvssVector",
    "epssScore", date, "slaStartDate", "slaExpirationDate", "createdAt", "updatedAt")
  SELECT $1, s.title, s.description, s.severity,
    NOT (s.mitigated OR s.false_positive OR s.risk_accepted OR s.out_of_scope), s.verified, s.false_positive,
    s.risk_accepted, s.out_of_scope, s.mitigated, CASE WHEN s.mitigated THEN COALESCE(s.mitigated_at, $2::timestamp) END,
    $2::timestamp, s.hash_code, s.unique_id, s.vuln_id, s.file_path, s.line, s.cwe, s.vulnerability_ids,
    s.component_name, s.component_version, s.service, s.static_finding, s.dynamic_finding, s.mitigation, s.refs,
    s.vendor_url, s.fix_available, s.fix_version, s.cvss_score, s.cvss_vector, s.epss_score,
    d.found, d.found, d.found + make_interval(days => ${SLA_DAYS}), $2::timestamp, $2::timestamp
  FROM reimport_plan p JOIN reimport_staging s ON s.ord = p.ord
  CROSS JOIN LATERAL (SELECT COALESCE(s.found_at, $2::timestamp) AS found) d
  WHERE p.outcome = 'new'
  ORDER BY p.ord
  RETURNING id
)
SELECT COALESCE(array_agg(id ORDER BY id), '{}') AS ids FROM created`;

export async function insertNew(client: pg.PoolClient, testId: number, now: Date): Promise<number[]> {
  const r = await client.query<{ ids: number[] }>(INSERT_NEW_SQL, [testId, now.toISOString()]);
  return r.rows[0]!.ids;
}

export interface MatchedIds { untouchedIds: number[]; updatedIds: number[]; reactivatedIds: number[] }

export async function matchedIds(client: pg.PoolClient): Promise<MatchedIds> {
  const r = await client.query<{ untouched: number[]; updated: number[]; reactivated: number[] }>(`
    SELECT COALESCE(array_agg(fid ORDER BY fid) FILTER (WHERE outcome IN ('untouched', 'kept_closed')), '{}') AS untouched,
           COALESCE(array_agg(fid ORDER BY fid) FILTER (WHERE outcome = 'updated'), '{}') AS updated,
           COALESCE(array_agg(fid ORDER BY fid) FILTER (WHERE outcome = 'reactivated'), '{}') AS reactivated
    FROM reimport_plan`);
  const row = r.rows[0]!;
  return { untouchedIds: row.untouched, updatedIds: row.updated, reactivatedIds: row.reactivated };
}
