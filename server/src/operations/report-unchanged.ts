// An identical re-sync without reading the report. When the connector can say cheaply that its
// report has not changed (ConnectorKind.reportFingerprint) and the test's findings are as the last
// import left them, reimporting the report again would change nothing: every finding it holds
// matches, none is updated, none is closed. So the outcome is written straight from the last import.
// On the bench's 100k-finding SARIF report an identical re-sync took 5.9 s to read, stage and
// compare everything (6.1× a COPY of the rows); recorded this way it reads no finding of the report.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { DedupeAlgorithm, HashField } from '../connectors/kind.ts';
import type { Rejection } from './stats.ts';

/** everything besides the report that decides a reimport's outcome */
export interface ReimportSettings {
  dedupe: { algorithm: DedupeAlgorithm; hashFields: HashField[] };
  minimumSeverity: string;
  doNotReactivate: boolean;
  scanType: string;
}

/** The stored fingerprint: the report's, with the settings it was imported under. */
export function importFingerprint(report: string, settings: ReimportSettings): string {
  const { dedupe, minimumSeverity, doNotReactivate, scanType } = settings;
  return crypto.hash('sha256', JSON.stringify([report, dedupe.algorithm, dedupe.hashFields, minimumSeverity, doNotReactivate, scanType]));
}

/**
 * The test's findings as a reimport sees them: the count, and an order-independent sum of 64-bit
 * hashes of each finding's matching keys and the status and details reimport reads or writes. A
 * person's status change, a finding deleted or added by hand, another import: each changes it. Its
 * notes do not enter: reimport only adds notes, and none can be deleted. ~40 ms per 100k findings.
 */
const FINDINGS_DIGEST_SQL = `
SELECT count(*) || ':' || COALESCE(sum(hashtextextended(ROW(f.id, f."uniqueIdFromTool", f."hashCode", f.service,
         f."falsePositive", f."riskAccepted", f."outOfScope", f.active, f."isMitigated", f."mitigatedAt", f.duplicate,
         f."dismissedInTool", f."fixAvailable", f."fixVersion", f."componentName", f."componentVersion", f."detailsDigest")::text, 0)), 0)
       AS digest
FROM "Finding" f WHERE f."testId" = $1`;

export async function findingsDigest(client: pg.PoolClient, testId: number): Promise<string> {
  return (await client.query<{ digest: string }>(FINDINGS_DIGEST_SQL, [testId])).rows[0]!.digest;
}

/**
 * When the test's last import read the same report under the same settings and its findings have
 * not changed since, records the same outcome again and returns the new TestImport: every finding
 * that import matched or created is untouched, nothing is closed (what the report lacked was closed
 * then and is still closed), and the rejected findings are the same ones. Otherwise null.
 */
export async function recordUnchanged(client: pg.PoolClient, testId: number, fingerprint: string, operationId: number | null, now: Date)
  : Promise<{ id: number; untouchedIds: number[]; rejections: Rejection[] } | null> {
  const last = await client.query<{ id: number; reportFingerprint: string | null; findingsDigest: string | null }>(
    'SELECT id, "reportFingerprint", "findingsDigest" FROM "TestImport" WHERE "testId" = $1 ORDER BY id DESC LIMIT 1', [testId]);
  const row = last.rows[0];
  if (!row || row.reportFingerprint !== fingerprint || row.findingsDigest !== await findingsDigest(client, testId)) return null;
  const r = await client.query<{ id: number; untouchedIds: number[]; rejections: Rejection[] }>(`
    INSERT INTO "TestImport" ("testId", "operationId", "createdAt", "untouchedIds", "rejectedCount", rejections, "reportFingerprint", "findingsDigest")
    SELECT "testId", $2, $3::timestamp,
           ARRAY(SELECT unnest("newIds" || "untouchedIds" || "updatedIds" || "reactivatedIds") ORDER BY 1),
           "rejectedCount", rejections, "reportFingerprint", "findingsDigest"
    FROM "TestImport" WHERE id = $1
    RETURNING id, "untouchedIds", rejections`, [row.id, operationId, now.toISOString()]);
  return r.rows[0]!;
}
