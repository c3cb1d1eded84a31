// The first import into a test that holds no findings: nothing can match, be reactivated or be
// closed, so every finding of the report is new except the ones an earlier finding of the report
// duplicates. Those are dropped here as the report streams by, and the rest go straight into
// "Finding" chunk by chunk, while the next chunk is parsed: no staging tables, no plan. On the
// bench's 100k SARIF findings the staged path took 4.8 s (staging 2.1 s, plan 0.75 s, insert
// 1.9 s); inserting as it streams overlaps the insert with the parse.
//
// Nothing here reads "Finding" after the check that the test is empty, so a finding someone adds
// to the test meanwhile is neither matched nor closed: the outcome is the one of a sync that ran
// just before that finding was added.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { DedupeAlgorithm } from '../connectors/kind.ts';
import type { PreparedFinding } from './reimport-prepare.ts';
import { NEW_FINDING_COLUMNS } from './reimport-apply.ts';
import { slaExpirationSql } from './sla.ts';
import { activeSql } from './finding-status.ts';

/**
 * A finding is a duplicate when an earlier one of the report, of the same service, shares its uid
 * or its hash_code, exactly as reimport_plan decides it: an earlier duplicate still counts as
 * "earlier". Keys are kept as digests: the parsed strings can be slices of a whole read buffer
 * and would keep it alive. 100k findings hold ~15 MB of keys.
 */
export class ReportKeys {
  private uids = new Set<string>();
  private hashes = new Set<string>();

  constructor(private algorithm: DedupeAlgorithm) {}

  /** Records the finding's keys; true when an earlier finding already had one of them. */
  seen(f: PreparedFinding): boolean {
    const service = f.service ?? '';
    const uid = this.algorithm !== 'hash_code' && f.uniqueIdFromTool !== null ? digest(`${service}\u0000${f.uniqueIdFromTool}`) : null;
    // a hash_code is a fresh hex string; with a service it must be keyed by both
    const hash = this.algorithm === 'unique_id_from_tool' && f.uniqueIdFromTool !== null ? null
      : service === '' ? f.hashCode : digest(`${service}\u0000${f.hashCode}`);
    const duplicate = (uid !== null && this.uids.has(uid)) || (hash !== null && this.hashes.has(hash));
    if (uid !== null) this.uids.add(uid);
    if (hash !== null) this.hashes.add(hash);
    return duplicate;
  }
}

const digest = (s: string) => crypto.hash('sha1', s, 'base64');

// The same values INSERT_NEW_SQL (reimport-apply.ts) writes for a new finding.
const INSERT_SQL = `
WITH created AS (
  INSERT INTO "Finding" ${NEW_FINDING_COLUMNS}
  SELECT $1, u.title, u.description, u.severity::"Severity",
    ${activeSql({ falsePositive: 'x.false_positive', riskAccepted: 'x.risk_accepted', outOfScope: 'x.out_of_scope', isMitigated: 'x.mitigated', duplicate: 'false' })} AND NOT x.dismissed, x.verified, x.false_positive, x.risk_accepted,
    x.out_of_scope, x.mitigated, CASE WHEN x.mitigated THEN COALESCE(u.mitigated_at, $2::timestamp) END, $2::timestamp,
    u.hash_code, u.unique_id, u.vuln_id, u.file_path, u.line, u.cwe, string_to_array(u.vulnerability_ids, E'\\x1f'),
    u.component_name, u.component_version, u.service, x.static_finding, x.dynamic_finding, u.mitigation, u.refs,
    u.vendor_url, u.fix_available, u.fix_version, u.cvss_score, u.cvss_vector, u.epss_score,
    d.found, d.found, ${slaExpirationSql('d.found', 'u.severity')}, $2::timestamp, $2::timestamp, u.cvss_v4_score, u.cvss_v4_vector,
    u.epss_percentile, x.known_exploited, COALESCE(string_to_array(u.cwes, ',')::int[], '{}'), u.end_line, u.tool_name, u.tool_version,
    u.code_classification, x.dismissed, u.dismissed_by, u.dismissed_at, u.dismissed_reason, u.details_digest
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[],
              $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::bool[],
              $20::text[], $21::float8[], $22::text[], $23::float8[], $24::int[], $25::timestamp[], $26::timestamp[],
              $27::float8[], $28::text[], $29::float8[], $30::text[], $31::int[], $32::text[], $33::text[], $34::text[],
              $35::text[], $36::timestamp[], $37::text[], $38::text[])
    WITH ORDINALITY AS u(title, description, severity, hash_code, unique_id, vuln_id, file_path, line, cwe, vulnerability_ids,
      component_name, component_version, service, mitigation, refs, vendor_url, fix_available, fix_version, cvss_score,
      cvss_vector, epss_score, flags, mitigated_at, found_at, cvss_v4_score, cvss_v4_vector, epss_percentile, cwes, end_line,
      tool_name, tool_version, code_classification, dismissed_by, dismissed_at, dismissed_reason, details_digest, n)
  CROSS JOIN LATERAL (SELECT (u.flags & 1) <> 0 AS false_positive, (u.flags & 2) <> 0 AS risk_accepted,
    (u.flags & 4) <> 0 AS out_of_scope, (u.flags & 8) <> 0 AS mitigated,
    (u.flags & 16) <> 0 AS static_finding, (u.flags & 32) <> 0 AS dynamic_finding, (u.flags & 64) <> 0 AS verified,
    (u.flags & 128) <> 0 AS known_exploited, (u.flags & 256) <> 0 AS dismissed) x
  CROSS JOIN LATERAL (SELECT COALESCE(u.found_at, $2::timestamp) AS found) d
  ORDER BY u.n
  RETURNING id
)
SELECT COALESCE(array_agg(id ORDER BY id), '{}') AS ids FROM created`;

// See reimport-staging.ts: a list travels as one string, booleans packed in one int.
const ID_SEPARATOR = '\u001f';
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const flags = (f: PreparedFinding) => (f.falsePositive ? 1 : 0) | (f.riskAccepted ? 2 : 0) | (f.outOfScope ? 4 : 0) | (f.mitigated ? 8 : 0)
  | (f.staticFinding ? 16 : 0) | (f.dynamicFinding ? 32 : 0) | (f.verified ? 64 : 0) | (f.knownExploited ? 128 : 0) | (f.dismissed ? 256 : 0);

/** Creates the chunk's findings in order; returns their ids. */
export async function insertChunk(client: pg.PoolClient, testId: number, now: Date, rows: PreparedFinding[]): Promise<number[]> {
  const cols: unknown[][] = Array.from({ length: 36 }, () => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const f = rows[i]!;
    const values = [f.title, f.description, f.severity, f.hashCode, f.uniqueIdFromTool, f.vulnIdFromTool, f.filePath, f.line, f.cwe,
      f.vulnerabilityIds.join(ID_SEPARATOR), f.componentName, f.componentVersion, f.service, f.mitigation, f.references, f.vendorUrl, f.fixAvailable,
      f.fixVersion, f.cvssScore, f.cvssVector, f.epssScore, flags(f), iso(f.mitigatedAt), iso(f.date), f.cvssV4Score, f.cvssV4Vector,
      f.epssPercentile, f.cwes.join(','), f.endLine, f.toolName, f.toolVersion, f.codeClassification, f.dismissedBy, iso(f.dismissedAt),
      f.dismissedReason, f.detailsDigest];
    for (let c = 0; c < values.length; c++) cols[c]![i] = values[c];
  }
  const r = await client.query<{ ids: number[] }>(INSERT_SQL, [testId, now.toISOString(), ...cols]);
  return r.rows[0]!.ids;
}
