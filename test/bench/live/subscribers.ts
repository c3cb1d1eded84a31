// One client process of `pnpm bench:live`: holds its share of the subscribers, each on its own
// websocket, and notes when every change reaches every one of them. The bench spreads 10,000
// subscribers over several of these so that what it measures is the API process, not one client
// event loop parsing 10,000 messages per change. Each speaks graphql-transport-ws on a bare `ws`
// socket and takes the arrival time before it parses anything: graphql-ws's client would add its
// own message validation to every receipt.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { preciseNow } from './clock.ts';

export type ToClients =
  /** subscriber j uses tokens[j % tokens.length] */
  | { type: 'open'; url: string; tokens: string[]; query: string; variables: Record<string, unknown>; count: number }
  | { type: 'run'; run: number }
  | { type: 'count' }
  | { type: 'collect' }
  | { type: 'close' };

export type FromClients =
  | { type: 'opened' }
  | { type: 'counted'; delivered: number }
  | { type: 'collected'; latencies: Float64Array; repeated: number; elu: number }
  | { type: 'failed'; message: string };

interface Stamp { run: number; seq: number; stampedAt: number }

const sockets: WebSocket[] = [];
let run = -1;
let latencies: number[] = [];
/** per subscriber, the last seq counted in this run: an operation re-announced with a stamp already seen is not a delivery */
let lastSeq: Int32Array = new Int32Array(0);
let repeated = 0;
let eluAtRun = performance.eventLoopUtilization();

const send = (m: FromClients) => process.send!(m);

function receive(index: number, data: WebSocket.RawData, arrivedAt: number) {
  const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { operationChanged?: { progress?: Stamp } }; errors?: unknown } };
  if (message.type !== 'next') return;
  const stamp = message.payload?.data?.operationChanged?.progress;
  if (!stamp) { send({ type: 'failed', message: `subscriber ${index}: ${JSON.stringify(message.payload)}` }); return; }
  if (stamp.run !== run) return;
  if (stamp.seq <= lastSeq[index]!) { repeated++; return; }
  lastSeq[index] = stamp.seq;
  latencies.push(arrivedAt - stamp.stampedAt);
}

function openOne(index: number, m: Extract<ToClients, { type: 'open' }>): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${m.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    sockets.push(ws);
    let acked = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${m.tokens[index % m.tokens.length]}` } })));
    ws.on('message', (data) => {
      const arrivedAt = preciseNow();
      if (!acked) {
        if (!String(data).startsWith('{"type":"connection_ack"')) { reject(new Error(`subscriber ${index}: ${String(data)}`)); return; }
        acked = true;
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: m.query, variables: m.variables } }));
        resolve();
        return;
      }
      receive(index, data, arrivedAt);
    });
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      if (run >= 0 && code !== 1000) send({ type: 'failed', message: `subscriber ${index} closed: ${code} ${reason}` });
    });
  });
}

process.on('message', async (m: ToClients) => {
  try {
    if (m.type === 'open') {
      // 50 handshakes at a time per process: the API authenticates each (token, viewer, connector)
      for (let i = 0; i < m.count; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, m.count - i) }, (_, j) => openOne(i + j, m)));
      }
      lastSeq = new Int32Array(m.count).fill(-1);
      send({ type: 'opened' });
    } else if (m.type === 'run') {
      run = m.run;
      latencies = [];
      lastSeq.fill(-1);
      repeated = 0;
      eluAtRun = performance.eventLoopUtilization();
    } else if (m.type === 'count') {
      send({ type: 'counted', delivered: latencies.length });
    } else if (m.type === 'collect') {
      send({ type: 'collected', latencies: Float64Array.from(latencies), repeated, elu: performance.eventLoopUtilization(eluAtRun).utilization });
    } else if (m.type === 'close') {
      run = -1;
      for (const ws of sockets) ws.close(1000);
      process.exit(0);
    }
  } catch (e) {
    send({ type: 'failed', message: (e as Error).message });
  }
});
