// The first import into a test that holds no findings: nothing can match, be reactivated or be
// closed, so every finding of the report is new except the ones an earlier finding of the report
// duplicates. The findings go straight into "Finding" chunk by chunk, while the next chunk is
// parsed, and the repeats are removed at the end: no staging tables, no plan. On the
// bench's 100k SARIF findings the staged path took 4.8 s (staging 2.1 s, plan 0.75 s, insert
// 1.9 s); inserting as it streams overlaps the insert with the parse.
//
// Nothing here reads "Finding" after the check that the test is empty, so a finding someone adds
// to the test meanwhile is neither matched nor closed: the outcome is the one of a sync that ran
// just before that finding was added.
import type pg from 'pg';
import type { DedupeAlgorithm } from '../connectors/kind.ts';
import type { PreparedFinding } from './reimport-prepare.ts';
import { copyRows } from '../db/copy-text.ts';
import { NEW_FINDING_COLUMNS } from './reimport-apply.ts';
import { slaExpirationSql } from './sla.ts';
import { activeSql } from './finding-status.ts';

/**
 * A finding is a duplicate when an earlier one of the report, of the same service, shares its uid
 * or its hash_code, exactly as reimport_plan decides it: an earlier duplicate still counts as
 * "earlier". Findings are created in report order, so "earlier" is "lower id". Removed after the
 * whole report is in, by one statement (~0.2 s per 100k findings, nothing when there are none):
 * remembering every key while streaming held ~1 KB a finding (300k findings: 288 MB of heap, peak
 * RSS 396 MB against 257 MB without), more than a 1M-finding sync may use.
 */
const DROP_REPEATS_SQL = `
WITH keyed AS (
  SELECT id, COALESCE(service, '') AS svc,
    CASE WHEN $2::text <> 'hash_code' THEN "uniqueIdFromTool" END AS match_uid,
    CASE WHEN $2::text = 'unique_id_from_tool' AND "uniqueIdFromTool" IS NOT NULL THEN NULL ELSE "hashCode" END AS match_hash
  FROM "Finding" WHERE "testId" = $1
), repeats AS (
  SELECT id FROM (
    SELECT id,
      match_uid IS NOT NULL AND row_number() OVER (PARTITION BY svc, match_uid ORDER BY id) > 1 AS later_uid,
      match_hash IS NOT NULL AND row_number() OVER (PARTITION BY svc, match_hash ORDER BY id) > 1 AS later_hash
    FROM keyed) r
  WHERE later_uid OR later_hash
), dropped AS (
  DELETE FROM "Finding" f USING repeats r WHERE f.id = r.id RETURNING f.id
)
SELECT COALESCE(array_agg(id), '{}') AS ids FROM dropped`;

/** Deletes the findings of this first import that repeat an earlier one; returns their ids. */
export async function dropRepeats(client: pg.PoolClient, testId: number, algorithm: DedupeAlgorithm): Promise<number[]> {
  return (await client.query<{ ids: number[] }>(DROP_REPEATS_SQL, [testId, algorithm])).rows[0]!.ids;
}

/** a chunk of new findings arrives here by COPY, and INSERT_SQL copies it into "Finding" */
export const CREATE_NEW = `
CREATE TEMP TABLE reimport_new (
  n integer NOT NULL,
  title text NOT NULL,
  description text NOT NULL,
  severity text NOT NULL,
  hash_code text NOT NULL,
  unique_id text,
  vuln_id text,
  file_path text,
  line integer,
  cwe integer,
  vulnerability_ids text[] NOT NULL,
  component_name text,
  component_version text,
  service text,
  mitigation text,
  refs text,
  vendor_url text,
  fix_available boolean,
  fix_version text,
  cvss_score double precision,
  cvss_vector text,
  epss_score double precision,
  flags integer NOT NULL,
  mitigated_at timestamp(3),
  found_at timestamp(3),
  cvss_v4_score double precision,
  cvss_v4_vector text,
  epss_percentile double precision,
  cwes integer[] NOT NULL,
  end_line integer,
  tool_name text,
  tool_version text,
  code_classification text,
  dismissed_by text,
  dismissed_at timestamp(3),
  dismissed_reason text,
  details_digest text NOT NULL
) ON COMMIT DROP`;

const NEW_COLUMNS = ['n', 'title', 'description', 'severity', 'hash_code', 'unique_id', 'vuln_id', 'file_path', 'line', 'cwe', 'vulnerability_ids',
  'component_name', 'component_version', 'service', 'mitigation', 'refs', 'vendor_url', 'fix_available', 'fix_version', 'cvss_score',
  'cvss_vector', 'epss_score', 'flags', 'mitigated_at', 'found_at', 'cvss_v4_score', 'cvss_v4_vector', 'epss_percentile', 'cwes', 'end_line',
  'tool_name', 'tool_version', 'code_classification', 'dismissed_by', 'dismissed_at', 'dismissed_reason', 'details_digest'];

// The same values INSERT_NEW_SQL (reimport-apply.ts) writes for a new finding.
const INSERT_SQL = `
WITH created AS (
  INSERT INTO "Finding" ${NEW_FINDING_COLUMNS}
  SELECT $1, u.title, u.description, u.severity::"Severity",
    ${activeSql({ falsePositive: 'x.false_positive', riskAccepted: 'x.risk_accepted', outOfScope: 'x.out_of_scope', isMitigated: 'x.mitigated', duplicate: 'false' })} AND NOT x.dismissed, x.verified, x.false_positive, x.risk_accepted,
    x.out_of_scope, x.mitigated, CASE WHEN x.mitigated THEN COALESCE(u.mitigated_at, $2::timestamp) END, $2::timestamp,
    u.hash_code, u.unique_id, u.vuln_id, u.file_path, u.line, u.cwe, u.vulnerability_ids,
    u.component_name, u.component_version, u.service, x.static_finding, x.dynamic_finding, u.mitigation, u.refs,
    u.vendor_url, u.fix_available, u.fix_version, u.cvss_score, u.cvss_vector, u.epss_score,
    d.found, d.found, ${slaExpirationSql('d.found', 'u.severity::"Severity"')}, $2::timestamp, $2::timestamp, u.cvss_v4_score, u.cvss_v4_vector,
    u.epss_percentile, x.known_exploited, u.cwes, u.end_line, u.tool_name, u.tool_version,
    u.code_classification, x.dismissed, u.dismissed_by, u.dismissed_at, u.dismissed_reason, u.details_digest
  FROM reimport_new u
  CROSS JOIN LATERAL (SELECT (u.flags & 1) <> 0 AS false_positive, (u.flags & 2) <> 0 AS risk_accepted,
    (u.flags & 4) <> 0 AS out_of_scope, (u.flags & 8) <> 0 AS mitigated,
    (u.flags & 16) <> 0 AS static_finding, (u.flags & 32) <> 0 AS dynamic_finding, (u.flags & 64) <> 0 AS verified,
    (u.flags & 128) <> 0 AS known_exploited, (u.flags & 256) <> 0 AS dismissed) x
  CROSS JOIN LATERAL (SELECT COALESCE(u.found_at, $2::timestamp) AS found) d
  ORDER BY u.n
  RETURNING id
)
SELECT COALESCE(array_agg(id ORDER BY id), '{}') AS ids FROM created`;

const flags = (f: PreparedFinding) => (f.falsePositive ? 1 : 0) | (f.riskAccepted ? 2 : 0) | (f.outOfScope ? 4 : 0) | (f.mitigated ? 8 : 0)
  | (f.staticFinding ? 16 : 0) | (f.dynamicFinding ? 32 : 0) | (f.verified ? 64 : 0) | (f.knownExploited ? 128 : 0) | (f.dismissed ? 256 : 0);

/** Creates the chunk's findings in order (a COPY and two statements); returns their ids. */
export async function insertChunk(client: pg.PoolClient, testId: number, now: Date, rows: PreparedFinding[]): Promise<number[]> {
  await copyRows(client, 'reimport_new', NEW_COLUMNS, rows.map((f, n) => [n, f.title, f.description, f.severity, f.hashCode, f.uniqueIdFromTool,
    f.vulnIdFromTool, f.filePath, f.line, f.cwe, f.vulnerabilityIds, f.componentName, f.componentVersion, f.service, f.mitigation, f.references,
    f.vendorUrl, f.fixAvailable, f.fixVersion, f.cvssScore, f.cvssVector, f.epssScore, flags(f), f.mitigatedAt, f.date, f.cvssV4Score,
    f.cvssV4Vector, f.epssPercentile, f.cwes, f.endLine, f.toolName, f.toolVersion, f.codeClassification, f.dismissedBy, f.dismissedAt,
    f.dismissedReason, f.detailsDigest]));
  const r = await client.query<{ ids: number[] }>(INSERT_SQL, [testId, now.toISOString()]);
  // emptied for the next chunk: deleted rows would stay until the transaction ends (see reimport-staging.ts)
  await client.query('TRUNCATE reimport_new');
  return r.rows[0]!.ids;
}
