// Sync: reimport the findings of every GOOD record into its product's "Global Connectors" engagement,
// in the one Test this connector owns there. Records mapped to the same product share that test, so
// they are reimported together as one complete report: each finding's `service` is its VEP key, so
// findings of two repositories never merge, and one record's fetch failing mitigates nothing.
//
// Crash safety: each product's reimport is one transaction that also writes its TestImport row
// (with this operation's id, its outcome and its rejected findings). A retried job skips the
// products that already have one, and the operation's stats are summed from those rows, so a run
// killed at any point and retried ends with exactly the result of an uninterrupted run.
import type { Connector, Operation, Record as RecordRow } from '@tributary/db';
import type { Services } from '../services.ts';
import type { NotificationEventName } from '../events.ts';
import type { KindWithContext } from '../connectors/connection.ts';
import type { KindContext, ConnectorKind, NormalizedFinding } from '../connectors/kind.ts';
import { reimport, REJECTIONS_KEPT } from './reimport.ts';
import { emptyStats, type FindingRejection, type OperationStats } from './stats.ts';

export const CONNECTOR_ENGAGEMENT = 'Global Connectors';
/** progress is written at most this often: each write is a NOTIFY to live dashboards */
const PROGRESS_INTERVAL_MS = 500;

export class SyncFailures extends Error {
  constructor(readonly failures: string[], readonly stats: OperationStats) {
    super(failures.join('\n'));
  }
}

/** The connector's Test in the product's "Global Connectors" engagement, created when absent. */
export async function ensureGlobalConnectorsTest(services: Services, connector: Connector, kind: ConnectorKind, productId: number): Promise<number> {
  const engagement = await services.prisma.engagement.upsert({
    where: { productId_name: { productId, name: CONNECTOR_ENGAGEMENT } },
    create: { productId, name: CONNECTOR_ENGAGEMENT, description: 'Findings imported by connectors' },
    update: {},
  });
  const test = await services.prisma.test.upsert({
    where: { engagementId_connectorId: { engagementId: engagement.id, connectorId: connector.id } },
    create: { engagementId: engagement.id, connectorId: connector.id, title: `${kind.label} — ${connector.name}`, scanType: kind.label },
    update: {},
  });
  return test.id;
}

const vepOf = (record: RecordRow) => ({ key: record.vendorKey, name: record.name, metadata: record.metadata as Record<string, unknown> });

async function* findingsOf(kind: ConnectorKind, ctx: KindContext, records: RecordRow[]): AsyncIterable<NormalizedFinding[]> {
  for (const record of records) {
    for await (const page of kind.fetchFindings(ctx, vepOf(record))) {
      // a worker shutting down past its grace period: the reimport's transaction rolls back and the
      // job is retried elsewhere (operations/run.ts)
      ctx.signal?.throwIfAborted();
      yield page.map((f) => ({ ...f, service: record.vendorKey }));
    }
  }
}

/** The product's report, all its records', when the kind can fingerprint every one of them. */
function fingerprintOf(kind: ConnectorKind, ctx: KindContext, records: RecordRow[]): (() => Promise<string | null>) | undefined {
  const fingerprint = kind.reportFingerprint?.bind(kind);
  if (!fingerprint) return undefined;
  return async () => {
    const parts: string[] = [];
    for (const record of records) {
      const part = await fingerprint(ctx, vepOf(record));
      if (part === null) return null;
      parts.push(record.vendorKey, part);
    }
    return JSON.stringify(parts);
  };
}

export async function runSync(services: Services, op: Operation, connector: Connector, { kind, ctx }: KindWithContext): Promise<OperationStats> {
  const { prisma } = services;
  const records = await prisma.record.findMany({ where: { connectorId: connector.id, state: 'GOOD', productId: { not: null } }, orderBy: { id: 'asc' } });
  const byProduct = new Map<number, RecordRow[]>();
  for (const r of records) byProduct.set(r.productId!, [...(byProduct.get(r.productId!) ?? []), r]);

  const alreadyImported = new Set((await prisma.testImport.findMany({ where: { operationId: op.id }, select: { testId: true } })).map((t) => t.testId));
  const failures: string[] = [];
  let recordsDone = 0;
  let findingsSoFar = 0;
  let lastProgress = 0;
  const progress = async (force = false) => {
    if (!force && Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = Date.now();
    await prisma.operation.update({ where: { id: op.id }, data: { progress: { recordsDone, recordsTotal: records.length, findings: findingsSoFar } } });
  };
  await progress(true);

  let recordsSynced = 0;
  for (const [productId, group] of byProduct) {
    ctx.signal?.throwIfAborted();
    const testId = await ensureGlobalConnectorsTest(services, connector, kind, productId);
    if (!alreadyImported.has(testId)) {
      const before = findingsSoFar;
      try {
        await reimport(services.pool, {
          testId,
          dedupe: kind.dedupe,
          minimumSeverity: connector.minimumSeverity,
          doNotReactivate: connector.doNotReactivate,
          scanType: kind.label,
          operationId: op.id,
          reportFingerprint: fingerprintOf(kind, ctx, group),
          // advisory: a failed progress write (the database restarting) must not become an unhandled
          // rejection, which ended the worker process; the reimport itself fails and says why
          onProgress: (n: number) => { findingsSoFar = before + n; progress().catch(() => {}); },
        }, findingsOf(kind, ctx, group));
      } catch (e) {
        // not this product's failure: the worker is stopping, and the retried job redoes this product
        if (ctx.signal?.aborted) throw e;
        const names = group.map((r) => r.name).join(', ');
        failures.push(`${names}: ${ctx.http.redact(e instanceof Error ? e.message : String(e))}`);
        findingsSoFar = before;
        recordsDone += group.length;
        await progress(true);
        continue;
      }
    }
    recordsSynced += group.length;
    recordsDone += group.length;
    await progress(true);
  }

  await recordScanEvents(services, op.id, connector.id);
  const stats = { ...(await importStats(services, op.id)), recordsSynced };
  if (failures.length) throw new SyncFailures(failures, stats);
  return stats;
}

const SCAN_ADDED: NotificationEventName = 'scan_added';
const SCAN_ADDED_EMPTY: NotificationEventName = 'scan_added_empty';

/**
 * DefectDojo's scan_added (the reimport changed something) or scan_added_empty, one per test import
 * of this operation. Written from the TestImport rows, each once, so a sync retried after a crash
 * still announces the imports its first attempt committed.
 */
async function recordScanEvents(services: Services, operationId: number, connectorId: number): Promise<void> {
  await services.pool.query(`INSERT INTO "NotificationEvent" (name, "productId", "connectorId", payload)
    SELECT CASE WHEN cardinality(ti."newIds") + cardinality(ti."closedIds") + cardinality(ti."reactivatedIds") + cardinality(ti."updatedIds") > 0
                THEN $3 ELSE $4 END,
           e."productId", $2,
           json_build_object('testImportId', ti.id, 'testId', ti."testId", 'operationId', ti."operationId",
             'new', cardinality(ti."newIds"), 'closed', cardinality(ti."closedIds"), 'reactivated', cardinality(ti."reactivatedIds"),
             'updated', cardinality(ti."updatedIds"), 'untouched', cardinality(ti."untouchedIds"))
      FROM "TestImport" ti JOIN "Test" te ON te.id = ti."testId" JOIN "Engagement" e ON e.id = te."engagementId"
     WHERE ti."operationId" = $1
       AND NOT EXISTS (SELECT 1 FROM "NotificationEvent" ne WHERE ne.name IN ($3, $4)
                         AND ne."connectorId" = $2 AND (ne.payload->>'testImportId')::int = ti.id)
     ORDER BY ti.id`, [operationId, connectorId, SCAN_ADDED, SCAN_ADDED_EMPTY]);
}

/**
 * Finding outcomes summed over this operation's TestImport rows (the only place they are kept), and
 * the first rejections in import order. A rejection's service is its record's VEP key: findingsOf
 * sets it on every finding.
 */
async function importStats(services: Services, operationId: number): Promise<OperationStats> {
  const { rows } = await services.pool.query<{ n: string; c: string; r: string; u: string; x: string; rejections: FindingRejection[] }>(
    `SELECT coalesce(sum(cardinality("newIds")), 0) n, coalesce(sum(cardinality("closedIds")), 0) c,
            coalesce(sum(cardinality("reactivatedIds")), 0) r, coalesce(sum(cardinality("untouchedIds")), 0) u,
            coalesce(sum("rejectedCount"), 0) x,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('record', k.e->>'service', 'reason', k.e->>'reason') ORDER BY k.id, k.ord), '[]')
               FROM (SELECT ti.id, e, ord FROM "TestImport" ti, jsonb_array_elements(ti.rejections) WITH ORDINALITY AS j(e, ord)
                      WHERE ti."operationId" = $1 ORDER BY ti.id, ord LIMIT $2) k) rejections
       FROM "TestImport" WHERE "operationId" = $1`, [operationId, REJECTIONS_KEPT]);
  const row = rows[0]!;
  return {
    ...emptyStats(),
    findingsNew: Number(row.n),
    findingsClosed: Number(row.c),
    findingsReactivated: Number(row.r),
    findingsUntouched: Number(row.u),
    findingsRejected: Number(row.x),
    rejections: row.rejections,
  };
}
