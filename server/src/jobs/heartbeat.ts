// Crash recovery for worker processes. graphile-worker keeps a job locked for 4 hours when the process
// holding it dies without releasing it (kill -9, OOM). Every worker process records its worker ids
// every 2 s; any process finding jobs locked by ids silent for 15 s (TRIBUTARY_WORKER_STALE_MS) unlocks
// them, so another worker retries the job within ~20 s. Operations are idempotent (operations/run.ts),
// so the retry finishes with exactly the result of an uninterrupted run. Each beat also fails the
// operations whose job is gone for good (failOrphanedOperations), so none stays RUNNING forever.
import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { failOrphanedOperations } from '../operations/run.ts';

export const HEARTBEAT_MS = 2_000;
export const STALE_MS = 15_000;

export function startHeartbeat(events: EventEmitter, pool: pg.Pool, log: Logger, staleMs = STALE_MS): { ids: Set<string>; stop(): Promise<void> } {
  const ids = new Set<string>();
  // graphile-worker 0.18 locks jobs with the id of the worker *pool* (batchGetJobs(…, workerPool.id)),
  // not of the worker running them: heartbeating only the workers' ids made every job running longer
  // than the stale time look dead, so it was unlocked and run a second time alongside (found by
  // test/reliability/worker-kills.test.ts: one sync imported the same test up to five times)
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => ids.add(workerPool.id));
  events.on('pool:release', ({ workerPool }: { workerPool: { id: string } }) => ids.delete(workerPool.id));
  events.on('worker:create', ({ worker }: { worker: { workerId: string } }) => ids.add(worker.workerId));
  events.on('worker:release', ({ worker }: { worker: { workerId: string } }) => ids.delete(worker.workerId));
  let running: Promise<void> = Promise.resolve();
  const beat = async () => {
    try {
      if (ids.size) {
        await pool.query(`INSERT INTO "WorkerHeartbeat" ("workerId", "seenAt") SELECT unnest($1::text[]), now()
          ON CONFLICT ("workerId") DO UPDATE SET "seenAt" = now()`, [[...ids]]);
      }
      await unlockDeadWorkers(pool, log, staleMs);
      const orphaned = await failOrphanedOperations(pool);
      if (orphaned.length) log.warn({ operations: orphaned }, 'failed operations whose job ended without finishing them');
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'worker heartbeat failed');
    }
  };
  // a beat well inside the stale time, whatever it is set to (tests shorten it)
  const timer = setInterval(() => { running = beat(); }, Math.min(HEARTBEAT_MS, Math.floor(staleMs / 5)));
  running = beat();
  return {
    ids,
    async stop() {
      clearInterval(timer);
      await running;
      if (ids.size) await pool.query('DELETE FROM "WorkerHeartbeat" WHERE "workerId" = ANY($1::text[])', [[...ids]]).catch(() => {});
    },
  };
}

export async function unlockDeadWorkers(pool: pg.Pool, log: Logger, staleMs = STALE_MS): Promise<string[]> {
  const { rows } = await pool.query<{ locked_by: string }>(`
    SELECT DISTINCT j.locked_by FROM graphile_worker._private_jobs j
     WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - make_interval(secs => $1::double precision / 1000)
       AND NOT EXISTS (SELECT 1 FROM "WorkerHeartbeat" h WHERE h."workerId" = j.locked_by AND h."seenAt" > now() - make_interval(secs => $1::double precision / 1000))`,
  [staleMs]);
  const dead = rows.map((r) => r.locked_by);
  if (dead.length) {
    await pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
    await pool.query('DELETE FROM "WorkerHeartbeat" WHERE "workerId" = ANY($1::text[])', [dead]);
    log.warn({ workers: dead }, 'unlocked jobs held by dead worker processes');
  }
  return dead;
}
