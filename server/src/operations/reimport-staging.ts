// The reimport's staging tables: every incoming finding of one sync lands here first, a COPY and a
// statement per chunk (and a second COPY when some findings are new or changed), so that matching,
// creating and closing are a handful of set-based statements however many findings the tool
// returns, and memory holds one chunk at a time.
import type pg from 'pg';
import type { DedupeAlgorithm } from '../connectors/kind.ts';
import type { PreparedFinding } from './reimport-prepare.ts';
import { copyRows } from '../db/copy-text.ts';

/**
 * A chunk arrives by COPY in `reimport_incoming`, and STAGE_SQL moves it on, matched, into
 * `reimport_staging`. Two tables after that, because most findings of a re-sync already exist:
 * `reimport_staging` gets every finding, slim: its dedupe keys, the existing finding it matches (looked up as it is staged) and
 * the vendor-side status reimport carries over. `reimport_content` gets the full text only of the
 * findings that matched nothing, the ones that may be created. On 100k SARIF findings an identical
 * re-sync then ships about 150 bytes a finding instead of 650. Shipping every finding's content and
 * matching the whole report in one statement afterwards was tried: 300k-finding re-syncs took
 * 31–36 s against 24–29 s this way (a temp table of all the text, spilled to disk, read twice).
 * No indexes: unique indexes to collapse duplicates on arrival cost ~1 s per 100k rows (measured,
 * temp tables spill past temp_buffers); reimport_plan collapses them with one sort instead.
 */
export const CREATE_STAGING = [`
CREATE TEMP TABLE reimport_incoming (
  ord integer NOT NULL,
  service text,
  unique_id text,
  hash_code text NOT NULL,
  flags integer NOT NULL,
  mitigated_at timestamp(3),
  fix_available boolean,
  fix_version text,
  component_name text,
  component_version text,
  details_digest text NOT NULL
) ON COMMIT DROP`, `
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
 * Moves the chunk COPYed into reimport_incoming on into reimport_staging, matching it in the same
 * statement: the uid is preferred over the hash_code,
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
  FROM reimport_incoming u
  CROSS JOIN LATERAL (SELECT
    CASE WHEN $2::text <> 'hash_code' THEN u.unique_id END AS match_uid,
    CASE WHEN $2::text = 'unique_id_from_tool' AND u.unique_id IS NOT NULL THEN NULL ELSE u.hash_code END AS match_hash) k
  RETURNING ord, fid, details_digest
)
SELECT COALESCE(array_agg(s.ord) FILTER (WHERE s.fid IS NULL OR f."detailsDigest" IS DISTINCT FROM s.details_digest), '{}') AS unmatched
FROM staged s LEFT JOIN "Finding" f ON f.id = s.fid`;

// Emptied for the next chunk by TRUNCATE: deleted rows stay in a temp table until the transaction
// ends (no vacuum inside it), and every later chunk scanned them again.
const EMPTY_INCOMING = 'TRUNCATE reimport_incoming';

const INCOMING_COLUMNS = ['ord', 'service', 'unique_id', 'hash_code', 'flags', 'mitigated_at', 'fix_available', 'fix_version',
  'component_name', 'component_version', 'details_digest'];

const CONTENT_COLUMNS = ['ord', 'title', 'description', 'severity', 'vuln_id', 'file_path', 'line', 'cwe', 'vulnerability_ids', 'mitigation',
  'refs', 'vendor_url', 'cvss_score', 'cvss_vector', 'epss_score', 'static_finding', 'dynamic_finding', 'verified', 'found_at',
  'cvss_v4_score', 'cvss_v4_vector', 'epss_percentile', 'known_exploited', 'cwes', 'end_line', 'tool_name', 'tool_version',
  'code_classification', 'dismissed_by', 'dismissed_at', 'dismissed_reason', 'details_digest'];

// the statuses travel packed in one int, unpacked by STAGE_SQL
const statusFlags = (f: PreparedFinding) =>
  (f.falsePositive ? 1 : 0) | (f.riskAccepted ? 2 : 0) | (f.outOfScope ? 4 : 0) | (f.mitigated ? 8 : 0) | (f.dismissed ? 16 : 0);

/**
 * Stages one chunk (`ords` are the findings' positions in the report): a COPY and two statements,
 * and a COPY of the content of the new or changed ones.
 */
export async function stageChunk(
  client: pg.PoolClient, testId: number, algorithm: DedupeAlgorithm, rows: PreparedFinding[], ords: number[],
): Promise<void> {
  await copyRows(client, 'reimport_incoming', INCOMING_COLUMNS, rows.map((f, i) => [ords[i]!, f.service, f.uniqueIdFromTool, f.hashCode,
    statusFlags(f), f.mitigatedAt, f.fixAvailable, f.fixVersion, f.componentName, f.componentVersion, f.detailsDigest]));
  const r = await client.query<{ unmatched: number[] }>(STAGE_SQL, [testId, algorithm]);
  await client.query(EMPTY_INCOMING);
  const unmatched = new Set(r.rows[0]!.unmatched); // new, or matched with changed details
  if (unmatched.size === 0) return;
  const content = [];
  for (let i = 0; i < rows.length; i++) {
    if (!unmatched.has(ords[i]!)) continue;
    const f = rows[i]!;
    content.push([ords[i]!, f.title, f.description, f.severity, f.vulnIdFromTool, f.filePath, f.line, f.cwe, f.vulnerabilityIds, f.mitigation,
      f.references, f.vendorUrl, f.cvssScore, f.cvssVector, f.epssScore, f.staticFinding, f.dynamicFinding, f.verified, f.date,
      f.cvssV4Score, f.cvssV4Vector, f.epssPercentile, f.knownExploited, f.cwes, f.endLine, f.toolName, f.toolVersion,
      f.codeClassification, f.dismissedBy, f.dismissedAt, f.dismissedReason, f.detailsDigest]);
  }
  await copyRows(client, 'reimport_content', CONTENT_COLUMNS, content);
}
