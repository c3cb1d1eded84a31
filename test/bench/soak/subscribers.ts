// The soak's live dashboards: graphql-ws subscribers, each on its own websocket, that stay connected
// for the whole run. Most watch operations (half all of them, as the operations page does, half one
// connector's, as a connector's page does); the rest watch records and the viewer's alerts. Every
// event, every close and every error is counted; for operations, who saw each one finish.
import type { Client } from 'graphql-ws';
import { wsClient, type ServerProcess } from '../../support/processes.ts';
import { waitFor } from '../../support/wait.ts';

const OPERATIONS = 'subscription($c: ID) { operationChanged(connectorId: $c) { id status } }';
const RECORDS = 'subscription { recordChanged { id state } }';
const ALERTS = 'subscription { alertAdded { id title } }';
/** opened this many at a time: each subscribe reads the token, the viewer and the connector */
const BATCH = 100;

export interface Subscribers {
  counts: { operations: number; records: number; alerts: number };
  /** operation subscribers per connector id (global), beside `allOperations` who watch every connector */
  perConnector: Map<string, number>;
  allOperations: number;
  events: { operations: number; records: number; alerts: number };
  /** operation global id → how many subscribers saw it SUCCEEDED or FAILED */
  finishedSeenBy: Map<string, number>;
  /** websockets that closed, and subscriptions that ended in an error, before the bench closed them */
  closes: string[];
  errors: string[];
  close(): Promise<void>;
}

export async function openSubscribers(api: ServerProcess, token: string, total: number, connectorIds: string[]): Promise<Subscribers> {
  const records = Math.round(total / 10);
  const alerts = Math.round(total / 10);
  const operations = total - records - alerts;
  const s: Subscribers = {
    counts: { operations, records, alerts }, perConnector: new Map(), allOperations: 0,
    events: { operations: 0, records: 0, alerts: 0 }, finishedSeenBy: new Map(), closes: [], errors: [],
    close: async () => {},
  };
  const clients: Client[] = [];
  let closing = false;
  const open = (query: string, variables: Record<string, unknown>, onData: (data: any) => void) => {
    const client = wsClient(api.url, { authorization: `Bearer ${token}` });
    client.on('closed', (e) => { if (!closing) s.closes.push(`${(e as { code?: number }).code ?? '?'} ${(e as { reason?: string }).reason ?? ''}`); });
    client.subscribe({ query, variables }, {
      next: (m) => { if (m.errors) s.errors.push(JSON.stringify(m.errors)); else onData(m.data); },
      error: (e) => { if (!closing) s.errors.push(String((e as Error).message ?? JSON.stringify(e))); },
      complete: () => { if (!closing) s.errors.push('completed by the server'); },
    });
    clients.push(client);
  };
  const onOperation = (data: { operationChanged: { id: string; status: string } }) => {
    s.events.operations++;
    const op = data.operationChanged;
    if (op.status === 'SUCCEEDED' || op.status === 'FAILED') s.finishedSeenBy.set(op.id, (s.finishedSeenBy.get(op.id) ?? 0) + 1);
  };
  const base = await api.metric('tributary_live_subscriptions');
  for (let i = 0; i < total; i++) {
    if (i < operations) {
      const connector = i % 2 ? connectorIds[(i >> 1) % connectorIds.length]! : null;
      if (connector) s.perConnector.set(connector, (s.perConnector.get(connector) ?? 0) + 1);
      else s.allOperations++;
      open(OPERATIONS, { c: connector }, onOperation);
    } else if (i < operations + records) {
      open(RECORDS, {}, () => { s.events.records++; });
    } else {
      open(ALERTS, {}, () => { s.events.alerts++; });
    }
    if ((i + 1) % BATCH === 0 || i === total - 1) {
      await waitFor(async () => (await api.metric('tributary_live_subscriptions')) === base + clients.length, `${clients.length} subscriptions`, 60_000);
    }
  }
  s.close = async () => {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
  };
  return s;
}
