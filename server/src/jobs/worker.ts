// The graphile-worker runner of a worker process, with the heartbeat that frees the jobs of workers
// that died holding them (heartbeat.ts), and graphile-worker's log routed into ours.
import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, run } from 'graphile-worker';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createTaskList, workerCrontab } from './tasks.ts';

/** Starts taking jobs; stop() lets running jobs finish (graphile-worker releases what it cannot finish). */
export async function startWorker(services: Services, metrics: Metrics): Promise<{ stop(): Promise<void> }> {
  const { config, pool, log } = services;
  const events = new EventEmitter();
  const heartbeat = startHeartbeat(events, pool, log);
  const runner = await run({
    events: events as any,
    pgPool: pool,
    concurrency: config.workerConcurrency,
    noHandleSignals: true,
    // LISTEN/NOTIFY picks jobs up in ~25 ms; polling is only the fallback
    pollInterval: 2_000,
    taskList: createTaskList(services, metrics),
    crontab: workerCrontab,
    logger: workerLogger(log),
  }).catch(async (e: unknown) => {
    await heartbeat.stop();
    throw e;
  });
  return {
    async stop() {
      await runner.stop().catch((e) => log.error({ err: e }, 'worker stop'));
      await heartbeat.stop();
    },
  };
}

/** graphile-worker's own logger interface, routed into pino */
export function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope: unknown) => (level: string, message: string, meta?: unknown) => {
    const fn = level === 'error' ? log.error : level === 'warning' ? log.warn : level === 'info' ? log.info : log.debug;
    fn.call(log, { scope, ...(meta as object) }, message);
  });
}
