// The writer process of `pnpm bench:live`: `changes` operation changes, one every `interval` ms, each
// committed on its own and stamped just before it is sent (insert PENDING, RUNNING, progress steps,
// SUCCEEDED: `steps` changes an operation).
// `node --import tsx writer.ts <databaseUrl> <connectorId> <run> <changes> <interval> <steps>`
// Each operation gets a parked graphile job under its key, as enqueue.ts gives a real one: without it
// the worker's heartbeat fails the operation as orphaned (operations/run.ts) within 2 s, and that
// FAILED, carrying the last stamp again, was counted as one more, late, delivery (65/60 delivered
// and a 1-subscriber p99 of 199 ms before this).
import pg from 'pg';
import { preciseNow } from './clock.ts';

const [databaseUrl, connectorId, run, changes, interval, steps] = process.argv.slice(2) as [string, string, string, string, string, string];
const STEPS = Number(steps);
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
let id = 0;
for (let seq = 0; seq < Number(changes); seq++) {
  const step = seq % STEPS;
  const stamp = () => JSON.stringify({ run: Number(run), seq, stampedAt: preciseNow() });
  if (step === 0) {
    await client.query('BEGIN');
    id = (await client.query(`INSERT INTO "Operation" ("connectorId", type, trigger, progress) VALUES ($1, 'DISCOVER', 'SCHEDULED', $2) RETURNING id`, [connectorId, stamp()])).rows[0].id;
    await client.query(`SELECT graphile_worker.add_job('bench_parked', '{}', job_key => $1, run_at => now() + interval '1 day')`, [`operation:${id}`]);
    await client.query('COMMIT');
  } else {
    const status = step === STEPS - 1 ? 'SUCCEEDED' : 'RUNNING';
    await client.query(`UPDATE "Operation" SET status = $2, progress = $3 WHERE id = $1`, [id, status, stamp()]);
    if (step === STEPS - 1) await client.query('SELECT graphile_worker.remove_job($1)', [`operation:${id}`]);
  }
  await new Promise((r) => setTimeout(r, Number(interval)));
}
await client.end();
