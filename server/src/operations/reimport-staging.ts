// The reimport's staging table: every incoming finding of one sync lands here first, one multi-row
// statement per chunk, so that matching, creating and closing are a handful of set-based statements
// however many findings the tool returns, and memory holds one chunk at a time.
import type pg from 'pg';
import type { PreparedFinding } from './reimport-prepare.ts';

/**
 * Unique indexes on both match keys make `ON CONFLICT DO NOTHING` collapse duplicates inside one
 * report as they arrive: the first finding with a key wins (report order, so deterministic) and a
 * later one sharing either key is dropped, exactly as DefectDojo matches a later report entry to the
 * finding an earlier one just created. They also serve the joins against "Finding" afterwards.
 */
export const CREATE_STAGING = `
CREATE TEMP TABLE reimport_staging (
  ord integer NOT NULL,
  title text NOT NULL,
  description text NOT NULL,
  severity "Severity" NOT NULL,
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
  cvss_score double precision,
  cvss_vector text,
  epss_score double precision,
  fix_available boolean,
  fix_version text,
  static_finding boolean NOT NULL,
  dynamic_finding boolean NOT NULL,
  found_at timestamp(3),
  false_positive boolean NOT NULL,
  risk_accepted boolean NOT NULL,
  out_of_scope boolean NOT NULL,
  verified boolean NOT NULL,
  mitigated boolean NOT NULL,
  mitigated_at timestamp(3),
  hash_code text NOT NULL,
  match_uid text,
  match_hash text,
  UNIQUE (match_uid),
  UNIQUE (match_hash)
) ON COMMIT DROP`;

// A vulnerability-id list travels as one string: unnest() would flatten a text[][] into one long
// list. prepareFinding folds control characters out of every id, so the unit separator cannot occur.
const ID_SEPARATOR = '\u001f';

const STAGE_CHUNK_SQL = `
INSERT INTO reimport_staging
SELECT u.ord, u.title, u.description, u.severity::"Severity", u.unique_id, u.vuln_id, u.file_path, u.line, u.cwe,
       string_to_array(u.vulnerability_ids, E'\\x1f'), u.component_name, u.component_version, u.service,
       u.mitigation, u.refs, u.vendor_url, u.cvss_score, u.cvss_vector, u.epss_score, u.fix_available, u.fix_version,
       (u.flags & 1) <> 0, (u.flags & 2) <> 0, u.found_at, (u.flags & 4) <> 0, (u.flags & 8) <> 0, (u.flags & 16) <> 0,
       (u.flags & 32) <> 0, (u.flags & 64) <> 0, u.mitigated_at, u.hash_code, u.match_uid, u.match_hash
FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[],
            $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::float8[],
            $18::text[], $19::float8[], $20::bool[], $21::text[], $22::int[], $23::timestamp[], $24::timestamp[],
            $25::text[], $26::text[], $27::text[])
  AS u(ord, title, description, severity, unique_id, vuln_id, file_path, line, cwe, vulnerability_ids,
       component_name, component_version, service, mitigation, refs, vendor_url, cvss_score, cvss_vector,
       epss_score, fix_available, fix_version, flags, found_at, mitigated_at, hash_code, match_uid, match_hash)
ON CONFLICT DO NOTHING`;

// seven booleans packed into one int: each array parameter costs a serialisation pass in pg and a
// parse pass in PostgreSQL, so 1 int[] instead of 7 bool[] trims both
function flagsOf(f: PreparedFinding): number {
  return (f.staticFinding ? 1 : 0) | (f.dynamicFinding ? 2 : 0) | (f.falsePositive ? 4 : 0) | (f.riskAccepted ? 8 : 0)
    | (f.outOfScope ? 16 : 0) | (f.verified ? 32 : 0) | (f.mitigated ? 64 : 0);
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Inserts one chunk (report positions firstOrd…) and returns how many rows survived the collapse. */
export async function stageChunk(client: pg.PoolClient, rows: PreparedFinding[], ords: number[]): Promise<number> {
  const cols: unknown[][] = Array.from({ length: 27 }, () => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const f = rows[i]!;
    const values = [
      ords[i], f.title, f.description, f.severity, f.uniqueIdFromTool, f.vulnIdFromTool, f.filePath, f.line, f.cwe,
      f.vulnerabilityIds.join(ID_SEPARATOR), f.componentName, f.componentVersion, f.service, f.mitigation, f.references,
      f.vendorUrl, f.cvssScore, f.cvssVector, f.epssScore, f.fixAvailable, f.fixVersion, flagsOf(f), iso(f.date),
      iso(f.mitigatedAt), f.hashCode, f.matchUid, f.matchHash,
    ];
    for (let c = 0; c < values.length; c++) cols[c]![i] = values[c];
  }
  const r = await client.query(STAGE_CHUNK_SQL, cols);
  return r.rowCount ?? 0;
}
