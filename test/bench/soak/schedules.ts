// Did every schedule fire? The schedule tick (server/src/jobs/schedule.ts) runs once a minute and, for
// each connector whose next run time has come, writes a SCHEDULED operation and moves the next run
// time on. With every connector on `* * * * *`, each connector owes one DISCOVER and one SYNC
// operation per minute, created during that minute (the tick runs a second or two after it starts).
//
// A slot (connector, type, minute) is MISSED when no scheduled operation of that type was created in
// that minute. Two causes are told apart: the tick ran late or not at all, or the slot was
// "coalesced" — an operation of the same type was still waiting (PENDING) when the tick came, and
// enqueueOperation returns the waiting one instead of queueing a second. Both are misses for a soak
// (the connector did not run as often as its schedule says). Two operations in one slot are a
// DUPLICATE (a schedule started twice).
import type pg from 'pg';
import { quantile } from './reads.ts';

const MINUTE = 60_000;

export type FirstSlots = Map<number, { DISCOVER: number; SYNC: number }>;

/** each connector's first slot per type, once the first tick has armed its schedules (next run times set) */
export async function armedSchedules(db: pg.Client): Promise<FirstSlots | null> {
  const { rows } = await db.query<{ id: number; discover: number | null; sync: number | null }>(`
    SELECT id, (extract(epoch FROM "nextDiscoverAt") * 1000)::float8 discover, (extract(epoch FROM "nextSyncAt") * 1000)::float8 sync
      FROM "Connector" ORDER BY id`);
  if (!rows.length || rows.some((r) => r.discover === null || r.sync === null)) return null;
  return new Map(rows.map((r) => [r.id, { DISCOVER: r.discover!, SYNC: r.sync! }]));
}

/** true once every connector's next run times are past `slot`: the tick of that minute has run */
export async function tickedPast(db: pg.Client, slot: number): Promise<boolean> {
  const { rows: [r] } = await db.query<{ behind: number }>(`SELECT count(*)::int behind FROM "Connector"
    WHERE "discoverSchedule" IS NOT NULL AND ("nextDiscoverAt" IS NULL OR "nextDiscoverAt" <= to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC')
       OR "syncSchedule" IS NOT NULL AND ("nextSyncAt" IS NULL OR "nextSyncAt" <= to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC')`, [slot]);
  return r!.behind === 0;
}

export interface ScheduleReport {
  expected: number;
  fired: number;
  missed: number;
  coalesced: number;
  duplicates: number;
  /** from the start of the minute to the operation's row, ms */
  lagP50: number;
  lagMax: number;
  missedSamples: string[];
}

/** every slot from each connector's first up to `lastSlot` (a minute's start, ms), checked against the Operation table */
export async function checkSchedules(db: pg.Client, first: FirstSlots, lastSlot: number): Promise<ScheduleReport> {
  const { rows } = await db.query<{ connectorId: number; type: 'DISCOVER' | 'SYNC'; created: number; started: number | null }>(`
    SELECT "connectorId", type, (extract(epoch FROM "createdAt") * 1000)::float8 created, (extract(epoch FROM "startedAt") * 1000)::float8 started
      FROM "Operation" WHERE trigger = 'SCHEDULED' ORDER BY id`);
  const byKey = new Map<string, typeof rows>();
  for (const r of rows) byKey.set(`${r.connectorId}:${r.type}`, [...(byKey.get(`${r.connectorId}:${r.type}`) ?? []), r]);
  const report: ScheduleReport = { expected: 0, fired: 0, missed: 0, coalesced: 0, duplicates: 0, lagP50: NaN, lagMax: NaN, missedSamples: [] };
  const lags: number[] = [];
  for (const [connectorId, slots] of first) {
    for (const type of ['DISCOVER', 'SYNC'] as const) {
      const ops = byKey.get(`${connectorId}:${type}`) ?? [];
      for (let slot = slots[type]; slot <= lastSlot; slot += MINUTE) {
        report.expected++;
        const inSlot = ops.filter((o) => o.created >= slot && o.created < slot + MINUTE);
        if (inSlot.length > 1) report.duplicates++;
        if (inSlot.length) {
          report.fired++;
          lags.push(inSlot[0]!.created - slot);
          continue;
        }
        report.missed++;
        const waiting = ops.some((o) => o.created < slot && (o.started === null || o.started > slot));
        if (waiting) report.coalesced++;
        if (report.missedSamples.length < 5) {
          report.missedSamples.push(`connector ${connectorId} ${type} at ${new Date(slot).toISOString()}${waiting ? ' (a run of that type was still waiting)' : ''}`);
        }
      }
    }
  }
  report.lagP50 = quantile(lags, 0.5);
  report.lagMax = lags.length ? Math.max(...lags) : NaN;
  return report;
}
