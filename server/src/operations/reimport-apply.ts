// The set-based half of reimport: once every incoming finding sits in reimport_staging, each step
// below is one statement over the whole set (research/defectdojo.md §2b, "Reimport algorithm").
import type pg from 'pg';
import { activeSql } from './finding-status.ts';
import { slaExpirationSql } from './sla.ts';

/**
 * One row per finding of the report that counts, with what happens to it. A finding is a duplicate
 * inside the report, and dropped, when an earlier one of the same service shares its uid or its
 * hash_code (first wins, by report position, so the result does not depend on timing); ranking
 * within each key takes 530 ms on 100k findings where self anti-joins took 870 (fewer sorts, no
 * merge joins). The match itself (`fid`) was looked up while staging.
 *
 * Outcomes, checked in DefectDojo's order (existing special status, then mitigated, then active):
 * - new          nothing matched
 * - repeat       an earlier finding of the report already matched the same existing one (possible
 *                when uid and hash_code point at different findings); it changes nothing
 * - untouched    matched and nothing to carry over; a finding the team risk-accepted and
 *                deactivated is never touched by the tool
 * - updated      the tool reports a status the finding lacks: false positive / risk accepted / out
 *                of scope are added (never cleared: a local triage survives a tool that does not
 *                know it), and fixed closes it with the tool's mitigation date
 *                (a dismissal in the tool whatever its reason, `dismissed`, deactivates it too)
 * - reactivated  mitigated here, open at the tool; or deactivated only by a dismissal in the tool
 *                that the tool has since withdrawn
 * - kept_closed  the same, with doNotReactivate: it stays closed (reported as untouched)
 */
const PLAN_SQL = `
CREATE TEMP TABLE reimport_plan ON COMMIT DROP AS
WITH firsts AS (
  SELECT s.*,
    s.match_uid IS NULL OR row_number() OVER (PARTITION BY COALESCE(s.service, ''), s.match_uid ORDER BY s.ord) = 1 AS first_uid,
    s.match_hash IS NULL OR row_number() OVER (PARTITION BY COALESCE(s.service, ''), s.match_hash ORDER BY s.ord) = 1 AS first_hash
  FROM reimport_staging s
), keyed AS (
  SELECT * FROM firsts WHERE first_uid AND first_hash
), ranked AS (
  SELECT k.*, CASE WHEN k.fid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY k.fid ORDER BY k.ord) END AS rn
  FROM keyed k
)
SELECT r.ord, r.fid, CASE
  WHEN r.fid IS NULL THEN 'new'
  WHEN r.rn > 1 THEN 'repeat'
  WHEN f."riskAccepted" AND NOT f.active THEN 'untouched'
  WHEN f."falsePositive" OR f."riskAccepted" OR f."outOfScope" THEN
    CASE WHEN x.adds_flags OR (r.mitigated AND NOT f."isMitigated") THEN 'updated' ELSE 'untouched' END
  WHEN f."isMitigated" THEN
    CASE WHEN r.mitigated THEN 'untouched' WHEN $1::boolean THEN 'kept_closed' ELSE 'reactivated' END
  WHEN x.adds_flags OR r.mitigated OR (r.dismissed AND f.active) THEN 'updated'
  WHEN f."dismissedInTool" AND NOT f.active AND NOT r.dismissed AND NOT f.duplicate THEN
    CASE WHEN $1::boolean THEN 'kept_closed' ELSE 'reactivated' END
  ELSE 'untouched'
END AS outcome,
r.fid IS NOT NULL AND r.rn = 1 AND (f."fixAvailable" IS DISTINCT FROM r.fix_available
  OR (NULLIF(f."componentName", '') IS NULL AND r.component_name IS NOT NULL)
  OR (NULLIF(f."componentVersion", '') IS NULL AND r.component_version IS NOT NULL)) AS backfill
FROM ranked r
LEFT JOIN "Finding" f ON f.id = r.fid
CROSS JOIN LATERAL (SELECT (r.false_positive AND NOT f."falsePositive") OR (r.risk_accepted AND NOT f."riskAccepted")
                           OR (r.out_of_scope AND NOT f."outOfScope") AS adds_flags) x`;

/** Returns how many findings of the report remain once duplicates inside it are dropped. */
export async function planOutcomes(client: pg.PoolClient, doNotReactivate: boolean): Promise<number> {
  // temp tables have no statistics until analysed: without them the self anti-joins below and the
  // one that closes absent findings are planned from guesses (a nested loop risks 100k × 100k).
  // The row count is what matters; sampling one column instead of all takes 25 ms, not 130 (100k rows)
  await client.query('ANALYZE reimport_staging (ord)');
  const r = await client.query(PLAN_SQL, [doNotReactivate]);
  await client.query('ANALYZE reimport_plan');
  return r.rowCount ?? 0;
}

/** the tool-owned detail columns (reimport-prepare.ts DETAIL_FIELDS) and their reimport_content values */
const DETAIL_COLUMNS: [string, string][] = [['vendorUrl', 'c.vendor_url'], ['cvssScore', 'c.cvss_score'], ['cvssVector', 'c.cvss_vector'],
  ['cvssV4Score', 'c.cvss_v4_score'], ['cvssV4Vector', 'c.cvss_v4_vector'], ['epssScore', 'c.epss_score'],
  ['epssPercentile', 'c.epss_percentile'], ['knownExploited', 'c.known_exploited'], ['cwes', 'c.cwes'], ['endLine', 'c.end_line'],
  ['toolName', 'c.tool_name'], ['toolVersion', 'c.tool_version'], ['codeClassification', 'c.code_classification'],
  ['dismissedBy', 'c.dismissed_by'], ['dismissedAt', 'c.dismissed_at'], ['dismissedReason', 'c.dismissed_reason'],
  ['detailsDigest', 'c.details_digest']];

/**
 * Status changes of matched findings, plus what DefectDojo syncs silently on every match:
 * fix_available / fix_version when they differ, component name / version when ours is empty. The
 * tool-owned details (scores, links, CWEs, its dismissal …) are rewritten when their digest changed,
 * which is when staging gave the finding a reimport_content row.
 */
const APPLY_MATCHED_SQL = `
UPDATE "Finding" f SET
  "falsePositive" = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."falsePositive" OR s.false_positive ELSE f."falsePositive" END,
  "riskAccepted"  = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."riskAccepted" OR s.risk_accepted ELSE f."riskAccepted" END,
  "outOfScope"    = CASE WHEN p.outcome IN ('updated', 'reactivated') THEN f."outOfScope" OR s.out_of_scope ELSE f."outOfScope" END,
  active = CASE p.outcome
    WHEN 'updated' THEN false
    WHEN 'reactivated' THEN ${activeSql({ falsePositive: 's.false_positive', riskAccepted: 's.risk_accepted', outOfScope: 's.out_of_scope', isMitigated: 'false', duplicate: 'f.duplicate' })} AND NOT s.dismissed
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
  "dismissedInTool" = s.dismissed,
  ${DETAIL_COLUMNS.map(([column, value]) => `"${column}" = CASE WHEN c.ord IS NULL THEN f."${column}" ELSE ${value} END`).join(',\n  ')},
  "updatedAt" = $1::timestamp
FROM reimport_plan p JOIN reimport_staging s ON s.ord = p.ord LEFT JOIN reimport_content c ON c.ord = p.ord
WHERE f.id = p.fid AND p.outcome <> 'repeat' AND (p.outcome IN ('updated', 'reactivated') OR p.backfill OR c.ord IS NOT NULL)`;

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

/** The columns a new finding is written with, here and in reimport-first.ts's fast path */
export const NEW_FINDING_COLUMNS = `("testId", title, description, severity, active, verified, "falsePositive", "riskAccepted",
  "outOfScope", "isMitigated", "mitigatedAt", "lastStatusUpdate", "hashCode", "uniqueIdFromTool", "vulnIdFromTool",
  "filePath", line, cwe, "vulnerabilityIds", "componentName", "componentVersion", service, "staticFinding",
  "dynamicFinding", mitigation, "references", "vendorUrl", "fixAvailable", "fixVersion", "cvssScore", "cvssVector",
  "epssScore", date, "slaStartDate", "slaExpirationDate", "createdAt", "updatedAt", "cvssV4Score", "cvssV4Vector",
  "epssPercentile", "knownExploited", cwes, "endLine", "toolName", "toolVersion", "codeClassification", "dismissedInTool",
  "dismissedBy", "dismissedAt", "dismissedReason", "detailsDigest")`;

/**
 * New findings, in report order (so ids follow it). The SLA clock starts at the finding's date, as
 * DefectDojo's get_sla_start_date() falls back to it. A finding the tool already reports as fixed,
 * false positive, accepted or out of scope is created inactive with that status.
 */
const INSERT_NEW_SQL = `
WITH created AS (
  INSERT INTO "Finding" ${NEW_FINDING_COLUMNS}
  SELECT $1, c.title, c.description, c.severity,
    ${activeSql({ falsePositive: 's.false_positive', riskAccepted: 's.risk_accepted', outOfScope: 's.out_of_scope', isMitigated: 's.mitigated', duplicate: 'false' })} AND NOT s.dismissed, c.verified, s.false_positive,
    s.risk_accepted, s.out_of_scope, s.mitigated, CASE WHEN s.mitigated THEN COALESCE(s.mitigated_at, $2::timestamp) END,
    $2::timestamp, s.hash_code, s.unique_id, c.vuln_id, c.file_path, c.line, c.cwe, c.vulnerability_ids,
    s.component_name, s.component_version, s.service, c.static_finding, c.dynamic_finding, c.mitigation, c.refs,
    c.vendor_url, s.fix_available, s.fix_version, c.cvss_score, c.cvss_vector, c.epss_score,
    d.found, d.found, ${slaExpirationSql('d.found', 'c.severity')}, $2::timestamp, $2::timestamp, c.cvss_v4_score, c.cvss_v4_vector,
    c.epss_percentile, c.known_exploited, c.cwes, c.end_line, c.tool_name, c.tool_version, c.code_classification, s.dismissed,
    c.dismissed_by, c.dismissed_at, c.dismissed_reason, c.details_digest
  FROM reimport_plan p JOIN reimport_staging s ON s.ord = p.ord JOIN reimport_content c ON c.ord = p.ord
  CROSS JOIN LATERAL (SELECT COALESCE(c.found_at, $2::timestamp) AS found) d
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
