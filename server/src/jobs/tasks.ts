// The graphile-worker task list. Tasks are thin: the work lives in operations/, notifications/ and jobs/schedule.ts.
import type { Task, TaskList } from 'graphile-worker';
import type { Services } from '../services.ts';
import type { Metrics } from '../metrics.ts';
import { RUN_OPERATION_TASK } from '../operations/enqueue.ts';
import { runOperation } from '../operations/run.ts';
import { DELIVER_TASK } from '../notifications/deliver-job.ts';
import { deliver } from '../notifications/deliver.ts';
import { sendDueDigests } from '../notifications/digests.ts';
import { DISPATCH_TASK, dispatchEvents } from '../notifications/dispatch.ts';
import { SWEEP_TASK, runSweeps } from '../notifications/sweeps.ts';
import { fireDueSchedules } from './schedule.ts';

export const SCHEDULE_TICK_TASK = 'schedule_tick';
/** graphile-worker's crontab runs each line once across all worker processes: the schedule tick every minute, the notification sweeps hourly */
export const workerCrontab = `* * * * * ${SCHEDULE_TICK_TASK} ?max=1\n0 * * * * ${SWEEP_TASK} ?max=1`;

function measured(name: string, metrics: Metrics, task: Task): Task {
  return async (payload, helpers) => {
    const end = metrics.jobSeconds.startTimer({ task: name });
    try {
      await task(payload, helpers);
      metrics.jobs.inc({ task: name, outcome: 'ok' });
    } catch (e) {
      metrics.jobs.inc({ task: name, outcome: 'error' });
      throw e;
    } finally {
      end();
    }
  };
}

export function createTaskList(services: Services, metrics: Metrics): TaskList {
  return {
    [RUN_OPERATION_TASK]: measured(RUN_OPERATION_TASK, metrics, async (payload, helpers) => {
      const { operationId } = payload as { operationId: number };
      await runOperation(services, operationId, helpers.abortSignal);
    }),
    [SCHEDULE_TICK_TASK]: measured(SCHEDULE_TICK_TASK, metrics, async () => {
      await fireDueSchedules(services);
      // the trigger queues dispatch as events are written; the tick is the safety net
      await dispatchEvents(services);
      await sendDueDigests(services);
    }),
    [DISPATCH_TASK]: measured(DISPATCH_TASK, metrics, async () => {
      await dispatchEvents(services);
    }),
    [SWEEP_TASK]: measured(SWEEP_TASK, metrics, async () => {
      await runSweeps(services);
    }),
    [DELIVER_TASK]: measured(DELIVER_TASK, metrics, async (payload) => {
      await deliver(services, (payload as { deliveryId: number }).deliveryId);
    }),
  };
}
