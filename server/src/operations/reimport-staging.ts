// The reimport's staging tables: every incoming finding of one sync lands here first, one or two
// multi-row statements per chunk, so that matching, creating and closing are a handful of set-based
// statements however many findings the tool returns, and memory holds one chunk at a time.
import type pg from 'pg';
import type { DedupeAlgorithm } from '../connectors/kind.ts';
import type { PreparedFinding } from './reimport-prepare.ts';

/**
 * Two tables, because most findings of a re-sync already exist. `reimport_staging` gets every
 * finding, slim: its dedupe keys, the existing finding it matches (looked up as it is staged) and
 * the vendor-side status reimport carries over. `reimport_content` gets the full text only of the
 * findings that matched nothing, the ones that may be created. On 100k SARIF findings an identical
 * re-sync then ships about 150 bytes a finding instead of 650.
 * No indexes: unique indexes to collapse duplicates on arrival cost ~1 s per 100k rows (measured,
 * temp tables spill past temp_buffers); reimport_plan collapses them with one sort instead.
 */
export const CREATE_STAGING = [`
CREATE TEMP TABLE reimport_staging (
  ord integer NOT NULL,
  fid integer,
  service text,
  unique_id text,
  hash_code text NOT NULL,
  match_uid text,
  match_hash text,
  false_positive boolean NOT NULL,
  risk_accepted boolean NOT NULL,
  out_of_scope boolean NOT NULL,
  mitigated boolean NOT NULL,
  mitigated_at timestamp(3),
  fix_available boolean,
  fix_version text,
  component_name text,
  component_version text,
  dismissed boolean NOT NULL,
  details_digest text NOT NULL
) ON COMMIT DROP`, `
CREATE TEMP TABLE reimport_content (
  ord integer NOT NULL,
  title text NOT NULL,
  description text NOT NULL,
  severity "Severity" NOT NULL,
  vuln_id text,
  file_path text,
  line integer,
  cwe integer,
  vulnerability_ids text[] NOT NULL,
  mitigation text,
  refs text,
  vendor_url text,
  cvss_score double precision,
  cvss_vector text,
  epss_score double precision,
  static_finding boolean NOT NULL,
  dynamic_finding boolean NOT NULL,
  verified boolean NOT NULL,
  found_at timestamp(3),
  cvss_v4_score double precision,
  cvss_v4_vector text,
  epss_percentile double precision,
  known_exploited boolean NOT NULL,
  cwes integer[] NOT NULL,
  end_line integer,
  tool_name text,
  tool_version text,
  code_classification text,
  dismissed_by text,
  dismissed_at timestamp(3),
  dismissed_reason text,
  details_digest text NOT NULL
) ON COMMIT DROP`];

/**
 * Stages a chunk and matches it in the same statement: the uid is preferred over the hash_code,
 * the lowest id wins (DefectDojo takes matched_findings[0]), and under `unique_id_from_tool` a
 * finding without a uid is matched by hash_code among findings without a uid, so it is not closed
 * and re-created on every sync. Matching stays inside the finding's service (DefectDojo reimports
 * one service at a time; here one test holds several VEPs, `service` naming each, and equal
 * fingerprints in two repositories are two findings). Null and '' are the same service, as there.
 * Returns the positions of the findings that matched nothing, and of the matched ones whose details
 * (reimport-prepare.ts DETAIL_FIELDS) differ from the stored finding's: both get a content row.
 */
const STAGE_SQL = `
WITH staged AS (
  INSERT INTO reimport_staging
  SELECT u.ord, COALESCE(
           (SELECT min(f.id) FROM "Finding" f WHERE f."testId" = $1 AND f."uniqueIdFromTool" = k.match_uid
              AND COALESCE(f.service, '') = COALESCE(u.service, '')),
           (SELECT min(f.id) FROM "Finding" f WHERE f."testId" = $1 AND f."hashCode" = k.match_hash
              AND COALESCE(f.service, '') = COALESCE(u.service, '')
              AND ($2::text <> 'unique_id_from_tool' OR f."uniqueIdFromTool" IS NULL))),
         u.service, u.unique_id, u.hash_code, k.match_uid, k.match_hash,
         (u.flags & 1) <> 0, (u.flags & 2) <> 0, (u.flags & 4) <> 0, (u.flags & 8) <> 0, u.mitigated_at,
         u.fix_available, u.fix_version, u.component_name, u.component_version, (u.flags & 16) <> 0, u.details_digest
  FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamp[], $9::bool[], $10::text[], $11::text[], $12::text[],
              $13::text[])
    AS u(ord, service, unique_id, hash_code, flags, mitigated_at, fix_available, fix_version, component_name, component_version,
         details_digest)
  CROSS JOIN LATERAL (SELECT
    CASE WHEN $2::text <> 'hash_code' THEN u.unique_id END AS match_uid,
    CASE WHEN $2::text = 'unique_id_from_tool' AND u.unique_id IS NOT NULL THEN NULL ELSE u.hash_code END AS match_hash) k
  RETURNING ord, fid, details_digest
)
SELECT COALESCE(array_agg(s.ord) FILTER (WHERE s.fid IS NULL OR f."detailsDigest" IS DISTINCT FROM s.details_digest), '{}') AS unmatched
FROM staged s LEFT JOIN "Finding" f ON f.id = s.fid`;

// A vulnerability-id list travels as one string: unnest() would flatten a text[][] into one long
// list. prepareFinding folds control characters out of every id, so the unit separator cannot occur.
const ID_SEPARATOR = '\u001f';

const CONTENT_SQL = `
INSERT INTO reimport_content
SELECT u.ord, u.title, u.description, u.severity::"Severity", u.vuln_id, u.file_path, u.line, u.cwe,
       string_to_array(u.vulnerability_ids, E'\\x1f'), u.mitigation, u.refs, u.vendor_url, u.cvss_score,
       u.cvss_vector, u.epss_score, (u.flags & 1) <> 0, (u.flags & 2) <> 0, (u.flags & 4) <> 0, u.found_at,
       u.cvss_v4_score, u.cvss_v4_vector, u.epss_percentile, (u.flags & 8) <> 0,
       COALESCE(string_to_array(u.cwes, ',')::int[], '{}'), u.end_line, u.tool_name, u.tool_version, u.code_classification,
       u.dismissed_by, u.dismissed_at, u.dismissed_reason, u.details_digest
FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[],
            $10::text[], $11::text[], $12::text[], $13::float8[], $14::text[], $15::float8[], $16::int[], $17::timestamp[],
            $18::float8[], $19::text[], $20::float8[], $21::text[], $22::int[], $23::text[], $24::text[], $25::text[],
            $26::text[], $27::timestamp[], $28::text[], $29::text[])
  AS u(ord, title, description, severity, vuln_id, file_path, line, cwe, vulnerability_ids, mitigation, refs,
       vendor_url, cvss_score, cvss_vector, epss_score, flags, found_at, cvss_v4_score, cvss_v4_vector, epss_percentile,
       cwes, end_line, tool_name, tool_version, code_classification, dismissed_by, dismissed_at, dismissed_reason, details_digest)`;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

// booleans travel packed in one int: each array parameter costs a serialisation pass in pg and a
// parse pass in PostgreSQL
const statusFlags = (f: PreparedFinding) =>
  (f.falsePositive ? 1 : 0) | (f.riskAccepted ? 2 : 0) | (f.outOfScope ? 4 : 0) | (f.mitigated ? 8 : 0) | (f.dismissed ? 16 : 0);
const contentFlags = (f: PreparedFinding) => (f.staticFinding ? 1 : 0) | (f.dynamicFinding ? 2 : 0) | (f.verified ? 4 : 0)
  | (f.knownExploited ? 8 : 0);

function columns<T>(rows: T[], width: number, row: (r: T, i: number) => unknown[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: width }, () => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const values = row(rows[i]!, i);
    for (let c = 0; c < width; c++) cols[c]![i] = values[c];
  }
  return cols;
}

/** Stages one chunk (`ords` are the findings' positions in the report): one statement, or two when some are unknown. */
export async function stageChunk(
  client: pg.PoolClient, testId: number, algorithm: DedupeAlgorithm, rows: PreparedFinding[], ords: number[],
): Promise<void> {
  const slim = columns(rows, 11, (f, i) => [ords[i], f.service, f.uniqueIdFromTool, f.hashCode, statusFlags(f), iso(f.mitigatedAt),
    f.fixAvailable, f.fixVersion, f.componentName, f.componentVersion, f.detailsDigest]);
  const r = await client.query<{ unmatched: number[] }>(STAGE_SQL, [testId, algorithm, ...slim]);
  const unmatched = new Set(r.rows[0]!.unmatched); // new, or matched with changed details
  if (unmatched.size === 0) return;
  const fresh: number[] = [];
  for (let i = 0; i < rows.length; i++) if (unmatched.has(ords[i]!)) fresh.push(i);
  const content = columns(fresh, 29, (i) => {
    const f = rows[i]!;
    return [ords[i], f.title, f.description, f.severity, f.vulnIdFromTool, f.filePath, f.line, f.cwe,
      f.vulnerabilityIds.join(ID_SEPARATOR), f.mitigation, f.references, f.vendorUrl, f.cvssScore, f.cvssVector,
      f.epssScore, contentFlags(f), iso(f.date), f.cvssV4Score, f.cvssV4Vector, f.epssPercentile, f.cwes.join(','), f.endLine,
      f.toolName, f.toolVersion, f.codeClassification, f.dismissedBy, iso(f.dismissedAt), f.dismissedReason, f.detailsDigest];
  });
  await client.query(CONTENT_SQL, content);
}
