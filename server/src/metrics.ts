// Prometheus metrics (prom-client), one registry per app so several apps can share a test process.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    jobs: new Counter({ name: 'tributary_jobs_total', help: 'worker jobs run, by task and outcome', labelNames: ['task', 'outcome'] as const, registers: [registry] }),
    jobSeconds: new Histogram({ name: 'tributary_job_seconds', help: 'worker job duration', labelNames: ['task'] as const, buckets: [0.05, 0.25, 1, 5, 30, 120, 600], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
