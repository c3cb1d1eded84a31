// The graphile-worker task list. Tasks are thin: the work lives in operations/, notifications/ and jobs/schedule.ts.
import type { Task, TaskList } from 'graphile-worker';
import type { Services } from '../services.ts';
import type { Metrics } from '../metrics.ts';
import { withLogContext } from '../logger.ts';
import { RUN_OPERATION_TASK } from '../operations/enqueue.ts';
import { runOperation } from '../operations/run.ts';
import { SLA_RECOMPUTE_TASK, recomputeSlaExpirations } from '../operations/sla.ts';
import { DELIVER_TASK, DELIVER_WEBHOOK_TASK } from '../notifications/deliver-job.ts';
import { deliver, deliverWebhook } from '../notifications/deliver.ts';
import { sendDueDigests } from '../notifications/digests.ts';
import { DISPATCH_TASK, dispatchEvents } from '../notifications/dispatch.ts';
import { SWEEP_TASK, runSweeps } from '../notifications/sweeps.ts';
import { fireDueSchedules } from './schedule.ts';

export const SCHEDULE_TICK_TASK = 'schedule_tick';
/** graphile-worker's crontab runs each line once across all worker processes: the schedule tick every minute, the notification sweeps hourly */
export const workerCrontab = `* * * * * ${SCHEDULE_TICK_TASK} ?max=1\n0 * * * * ${SWEEP_TASK} ?max=1`;

/** every task runs timed, counted, and with its job id on each line it logs */
function measured(name: string, metrics: Metrics, task: Task): Task {
  return (payload, helpers) => withLogContext({ jobId: helpers.job.id, task: name }, async () => {
    const end = metrics.jobSeconds.startTimer({ task: name });
    metrics.jobsRunning.inc({ task: name });
    try {
      await task(payload, helpers);
      metrics.jobs.inc({ task: name, outcome: 'ok' });
    } catch (e) {
      metrics.jobs.inc({ task: name, outcome: 'error' });
      throw e;
    } finally {
      metrics.jobsRunning.dec({ task: name });
      end();
    }
  });
}

/** operations by type and outcome, and a sync's findings per second */
async function countOperation(services: Services, metrics: Metrics, operationId: number): Promise<void> {
  const { rows: [op] } = await services.pool.query<{ type: string; status: string; durationMs: number | null; findings: number | null }>(
    `SELECT type, status, "durationMs", ((stats->>'findingsNew')::int + (stats->>'findingsClosed')::int
            + (stats->>'findingsReactivated')::int + (stats->>'findingsUntouched')::int) findings
       FROM "Operation" WHERE id = $1`, [operationId]);
  // pruned already (a connector keeping very few operations), or not finished: nothing to count
  if (!op || (op.status !== 'SUCCEEDED' && op.status !== 'FAILED')) return;
  metrics.operationsFinished.inc({ type: op.type, status: op.status });
  if (op.type === 'SYNC' && op.findings) {
    metrics.syncFindings.inc(op.findings);
    if (op.durationMs) metrics.syncThroughput.observe(op.findings / (op.durationMs / 1000));
  }
}

export function createTaskList(services: Services, metrics: Metrics): TaskList {
  return {
    [RUN_OPERATION_TASK]: measured(RUN_OPERATION_TASK, metrics, async (payload, helpers) => {
      const { operationId } = payload as { operationId: number };
      await runOperation(services, operationId, helpers.abortSignal);
      await countOperation(services, metrics, operationId);
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
    [SLA_RECOMPUTE_TASK]: measured(SLA_RECOMPUTE_TASK, metrics, async () => {
      await recomputeSlaExpirations(services.prisma);
    }),
    [DELIVER_TASK]: measured(DELIVER_TASK, metrics, async (payload) => {
      await deliver(services, (payload as { deliveryId: number }).deliveryId);
    }),
    [DELIVER_WEBHOOK_TASK]: measured(DELIVER_WEBHOOK_TASK, metrics, async (payload) => {
      await deliverWebhook(services, (payload as { webhookId: number }).webhookId);
    }),
  };
}
