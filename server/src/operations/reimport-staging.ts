// The reimport's staging tables: every incoming finding of one sync lands here first, two COPYs per
// chunk, so that matching, creating and closing are a handful of set-based statements however many
// findings the tool returns, and memory holds one chunk at a time.
import type pg from 'pg';
import type { PreparedFinding } from './reimport-prepare.ts';
import { copyRows } from '../db/copy-text.ts';

/**
 * `reimport_staging` gets every finding's dedupe keys and the vendor-side status reimport carries
 * over; `reimport_content` its text and details, for the findings that turn out new or changed.
 * Nothing is matched while staging: reimport_plan (reimport-apply.ts) matches the whole report in
 * one statement. Matching each 5,000-row chunk as it was staged (an index probe per key, on
 * "Finding" or on per-reimport key tables) took 3.1–3.8 s of a 100k-finding re-sync; the rows
 * themselves cross by COPY in ~0.5 s (as INSERT … SELECT FROM unnest($1::text[], …) parameters, 2 s).
 * No indexes: unique indexes to collapse duplicates on arrival cost ~1 s per 100k rows (measured,
 * temp tables spill past temp_buffers); reimport_plan collapses them with one sort instead.
 */
export const CREATE_STAGING = [`
CREATE TEMP TABLE reimport_staging (
  ord integer NOT NULL,
  service text,
  unique_id text,
  hash_code text NOT NULL,
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

const STAGING_COLUMNS = ['ord', 'service', 'unique_id', 'hash_code', 'false_positive', 'risk_accepted', 'out_of_scope', 'mitigated', 'mitigated_at',
  'fix_available', 'fix_version', 'component_name', 'component_version', 'dismissed', 'details_digest'];

const CONTENT_COLUMNS = ['ord', 'title', 'description', 'severity', 'vuln_id', 'file_path', 'line', 'cwe', 'vulnerability_ids', 'mitigation',
  'refs', 'vendor_url', 'cvss_score', 'cvss_vector', 'epss_score', 'static_finding', 'dynamic_finding', 'verified', 'found_at',
  'cvss_v4_score', 'cvss_v4_vector', 'epss_percentile', 'known_exploited', 'cwes', 'end_line', 'tool_name', 'tool_version',
  'code_classification', 'dismissed_by', 'dismissed_at', 'dismissed_reason', 'details_digest'];

/** Stages one chunk (`ords` are the findings' positions in the report): two COPYs. */
export async function stageChunk(client: pg.PoolClient, rows: PreparedFinding[], ords: number[]): Promise<void> {
  await copyRows(client, 'reimport_staging', STAGING_COLUMNS, rows.map((f, i) => [ords[i]!, f.service, f.uniqueIdFromTool, f.hashCode,
    f.falsePositive, f.riskAccepted, f.outOfScope, f.mitigated, f.mitigatedAt, f.fixAvailable, f.fixVersion, f.componentName,
    f.componentVersion, f.dismissed, f.detailsDigest]));
  await copyRows(client, 'reimport_content', CONTENT_COLUMNS, rows.map((f, i) => [ords[i]!, f.title, f.description, f.severity,
    f.vulnIdFromTool, f.filePath, f.line, f.cwe, f.vulnerabilityIds, f.mitigation, f.references, f.vendorUrl, f.cvssScore, f.cvssVector,
    f.epssScore, f.staticFinding, f.dynamicFinding, f.verified, f.date, f.cvssV4Score, f.cvssV4Vector, f.epssPercentile, f.knownExploited,
    f.cwes, f.endLine, f.toolName, f.toolVersion, f.codeClassification, f.dismissedBy, f.dismissedAt, f.dismissedReason, f.detailsDigest]));
}
