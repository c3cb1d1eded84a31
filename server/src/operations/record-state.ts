// The record state machine after a COMPLETE, successful discover (DESIGN.md "Record states"),
// applied set-based in one transaction: thousands of VEPs cost a handful of statements.
//   seen, new key            → NEW, or with autoMap a product named after it and GOOD
//   seen, MISSING            → GOOD (it came back); name/metadata follow the tool (rename by key)
//   seen, IGNORED/STALE/NEW  → state kept (NEW is auto-mapped when autoMap is on)
//   not seen, GOOD           → MISSING
// A failed or partial discover never reaches this function, so it changes no state.
import type pg from 'pg';
import type { NotificationEventName } from '../events.ts';
import { LOCKS } from '../locks.ts';
import type { Vep } from '../connectors/kind.ts';

export interface ReconcileResult {
  recordsDiscovered: number;
  recordsNew: number;
  recordsMissing: number;
  recordsAutoMapped: number;
}

const MAX_NAME = 500;
const MAX_METADATA_BYTES = 8_000;

/**
 * `operationId`: the discover's outcome is kept on its Operation (`stats`, which no live event
 * carries, so subscribers see no extra RUNNING) in the same transaction, so a job killed after this
 * commit and retried reports what this run did, not the nothing-left-to-change of a second
 * reconcile (runDiscover reads it back).
 */
export async function reconcileRecords(pool: pg.Pool, connectorId: number, autoMap: boolean, veps: Vep[], now: Date, operationId?: number): Promise<ReconcileResult> {
  const keys = veps.map((v) => v.key);
  const names = veps.map((v) => (v.name || v.key).slice(0, MAX_NAME));
  const metadata = veps.map((v) => {
    const json = JSON.stringify(v.metadata ?? {});
    return json.length > MAX_METADATA_BYTES ? '{}' : json;
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // one reconcile per connector at a time (jobs of a connector are serialized already; this
    // also covers a manual call racing a job)
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCKS.recordReconcile, connectorId]);
    await client.query(`CREATE TEMP TABLE seen ON COMMIT DROP AS
      SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS s(key, name, metadata)`, [keys, names, metadata]);

    await client.query(`UPDATE "Record" r
        SET name = s.name, metadata = s.metadata, "lastDiscoveredAt" = $2, "updatedAt" = $2,
            state = CASE WHEN r.state = 'MISSING' THEN 'GOOD'::"RecordState" ELSE r.state END
       FROM seen s
      WHERE r."connectorId" = $1 AND r."vendorKey" = s.key`, [connectorId, now]);

    const inserted = await client.query<{ id: number }>(`INSERT INTO "Record"
        ("connectorId", "vendorKey", name, metadata, state, "firstDiscoveredAt", "lastDiscoveredAt", "createdAt", "updatedAt")
      SELECT $1, s.key, s.name, s.metadata, 'NEW', $2, $2, $2, $2 FROM seen s
      ON CONFLICT ("connectorId", "vendorKey") DO NOTHING
      RETURNING id`, [connectorId, now]);

    const missing = await client.query<{ id: number }>(`UPDATE "Record" r SET state = 'MISSING', "updatedAt" = $2
      WHERE r."connectorId" = $1 AND r.state = 'GOOD' AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.key = r."vendorKey")
      RETURNING id`, [connectorId, now]);

    let recordsAutoMapped = 0;
    if (autoMap) {
      // a product with the VEP's name is reused (a deleted-then-rediscovered record maps back to it)
      await client.query(`INSERT INTO "Product" (name, description, "createdAt", "updatedAt")
        SELECT DISTINCT r.name, 'Created by auto-mapping', $2::timestamp, $2::timestamp FROM "Record" r
         WHERE r."connectorId" = $1 AND r.state = 'NEW'
        ON CONFLICT (name) DO NOTHING`, [connectorId, now]);
      const mapped = await client.query(`UPDATE "Record" r SET state = 'GOOD', "productId" = p.id, "updatedAt" = $2
          FROM "Product" p
         WHERE r."connectorId" = $1 AND r.state = 'NEW' AND p.name = r.name`, [connectorId, now]);
      recordsAutoMapped = mapped.rowCount ?? 0;
    }
    await recordEvents(client, connectorId, 'record_new', inserted.rows.map((r) => r.id));
    await recordEvents(client, connectorId, 'record_missing', missing.rows.map((r) => r.id));
    const result = {
      recordsDiscovered: veps.length,
      recordsNew: inserted.rowCount ?? 0,
      recordsMissing: missing.rowCount ?? 0,
      recordsAutoMapped,
    };
    if (operationId !== undefined) {
      await client.query(`UPDATE "Operation" SET stats = $2::jsonb WHERE id = $1`, [operationId, JSON.stringify({ recordsDiscovered: result.recordsDiscovered, recordsNew: result.recordsNew, recordsMissing: result.recordsMissing, reconciled: result })]);
    }
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

// One event per discover and kind of change (not per record): a first discover of 2,000 repositories
// should be one notification, not 2,000. The names of the first 50 go along for the message.
async function recordEvents(client: pg.PoolClient, connectorId: number, name: NotificationEventName, ids: number[]) {
  if (!ids.length) return;
  await client.query(`INSERT INTO "NotificationEvent" (name, "connectorId", payload)
    SELECT $1, $2, json_build_object('count', $4::int, 'recordIds', $3::int[],
      'names', (SELECT json_agg(name ORDER BY id) FROM (SELECT id, name FROM "Record" WHERE id = ANY($3) ORDER BY id LIMIT 50) r))`,
  [name, connectorId, ids, ids.length]);
}
