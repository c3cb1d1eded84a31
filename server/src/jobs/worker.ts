// The graphile-worker runner of a worker process, with the heartbeat that frees the jobs of workers
// that died holding them (heartbeat.ts), and graphile-worker's log routed into ours.
//
// Stopping (SIGTERM): no new jobs are taken; running jobs get the grace period
// (TRIBUTARY_SHUTDOWN_GRACE_MS) to finish. Then their abort signal fires: a sync stops between pages,
// its reimport transaction rolls back, the operation stays RUNNING, and graphile-worker releases the
// job with a retry (run_at ≈ 3 s later) for another worker. A job that ignores the signal is released
// 5 s after that by unlocking it (force_unlock_workers) before the process exits, so no job waits for
// the 15 s dead-worker detection, let alone graphile-worker's 4-hour lock expiry.
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run } from 'graphile-worker';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createTaskList, workerCrontab } from './tasks.ts';

/** after the grace period, how long aborted jobs get to unwind before they are unlocked regardless */
export const ABORT_UNWIND_MS = 5_000;

export interface WorkerHandle {
  /** false once the runner has stopped or crashed: /readyz reports it */
  running(): boolean;
  stop(): Promise<void>;
}

/** a runner that stopped on its own is started again after this, doubling up to RESTART_MAX_MS */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/**
 * Starts taking jobs; stop() lets running jobs finish within the grace period, then releases them.
 *
 * Supervised: graphile-worker stops its whole pool when it cannot record a job's end ("Failed to
 * release job …; committing seppuku") — which is what a PostgreSQL restart during a job does. The
 * process would then stay up taking no jobs until someone restarted it, while its heartbeat kept the
 * dead pool's job locked. So a runner that stops unexpectedly is dropped from the heartbeat (its
 * jobs go to whoever runs next, after the stale time) and a new one is started, with backoff while
 * the database is still away (found by test/reliability/postgres-restarts.test.ts).
 */
export async function startWorker(services: Services, metrics: Metrics): Promise<WorkerHandle> {
  const { config, pool, log } = services;
  const events = new EventEmitter();
  const heartbeat = startHeartbeat(events, pool, log, config.workerStaleMs);
  let poolIds: string[] = [];
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => poolIds.push(workerPool.id));
  const launch = () => run({
    events: events as any,
    pgPool: pool,
    concurrency: config.workerConcurrency,
    noHandleSignals: true,
    // LISTEN/NOTIFY picks jobs up in ~25 ms; polling is only the fallback
    pollInterval: 2_000,
    gracefulShutdownAbortTimeout: config.shutdownGraceMs,
    taskList: createTaskList(services, metrics),
    crontab: workerCrontab,
    logger: workerLogger(log),
    // graphile-worker 0.18 records a job's end with completeJob()/failJob() without awaiting it
    // (worker.js). Unbatched (its default, -1), a release that finds PostgreSQL gone (ECONNREFUSED,
    // "Connection terminated": not in its retryable codes) rejected with no handler, and the unhandled
    // rejection ended the worker process (test/reliability/postgres-restarts.test.ts, now and then).
    // Batched, even with no delay, the failure goes to its handler instead: it logs, stops this
    // runner (pool:fatalError) and the supervision below starts a new one; the job is unlocked after
    // the stale time and retried, which operations and deliveries are built to survive.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
  let runner = await launch().catch(async (e: unknown) => {
    await heartbeat.stop();
    throw e;
  });
  let alive = true;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;
  const supervise = (current: typeof runner) => {
    // graphile-worker 0.18 can leave runner.promise pending for ever after such a stop: its job-release
    // batcher counts a second failed batch twice, its pending count drops below zero, and terminate()
    // waits for zero (the restart suite hung in 2 of 4 runs at 9 restarts, its sync's job locked by a
    // pool that still beat). The pool's graceful shutdown ending is the stop that matters: every job
    // it ran has ended by then.
    const poolId = poolIds[poolIds.length - 1];
    let onShutdown: (e: { workerPool: { id: string }; error?: unknown }) => void = () => {};
    const ended = new Promise<unknown>((resolve) => {
      current.promise.then(() => resolve(undefined), resolve);
      onShutdown = ({ workerPool, error }) => { if (workerPool.id === poolId) resolve(error ?? new Error('its pool shut down')); };
      events.on('pool:gracefulShutdown:complete', onShutdown);
      events.on('pool:gracefulShutdown:error', onShutdown);
    });
    void ended.then((e) => {
      events.off('pool:gracefulShutdown:complete', onShutdown);
      events.off('pool:gracefulShutdown:error', onShutdown);
      if (stopping || current !== runner) return;
      alive = false;
      log.error({ err: e }, 'worker stopped unexpectedly; starting it again');
      // the stopped pool's ids no longer beat: its locked jobs are released after the stale time
      for (const id of poolIds) heartbeat.ids.delete(id);
      poolIds = [];
      const retry = (delay: number) => {
        restartTimer = setTimeout(() => {
          if (stopping) return;
          launch().then((next) => {
            if (stopping) { void next.stop().catch(() => {}); return; }
            runner = next;
            alive = true;
            log.warn('worker started again');
            supervise(next);
          }, (err: unknown) => {
            log.warn({ err: (err as Error).message }, 'worker cannot start yet');
            retry(Math.min(delay * 2, RESTART_MAX_MS));
          });
        }, delay);
      };
      retry(RESTART_MIN_MS);
    });
  };
  supervise(runner);
  return {
    running: () => alive,
    async stop() {
      stopping = true;
      alive = false;
      if (restartTimer) clearTimeout(restartTimer);
      // before stopping: graphile-worker forgets a worker's id as soon as its release begins
      const ids = [...heartbeat.ids];
      const stopped = runner.stop().catch((e) => log.error({ err: e }, 'worker stop'));
      const late = await Promise.race([
        stopped.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), config.shutdownGraceMs + ABORT_UNWIND_MS).unref()),
      ]);
      if (late && ids.length) {
        await pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [ids]).catch(() => {});
        log.warn({ workers: ids }, 'released jobs still running after the grace period');
      }
      await heartbeat.stop();
    },
  };
}

/**
 * graphile-worker's own logger interface, routed into pino. Its per-job lines ("Completed task …")
 * go to debug: a job's outcome is in the job metrics, and a failure is still logged as a warning.
 */
export function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope: { jobId?: string; taskIdentifier?: string } & Record<string, unknown>) => (level: string, message: string, meta?: unknown) => {
    const perJob = level === 'info' && scope?.jobId !== undefined;
    const fn = level === 'error' ? log.error : level === 'warning' ? log.warn : level === 'info' && !perJob ? log.info : log.debug;
    fn.call(log, { scope, ...(meta as object) }, message);
  });
}
