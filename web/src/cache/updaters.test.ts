// The cache keeps lists current from events: a record changing state moves between the filtered
// lists (with their counts), a new one lands at the top, a new alert raises the unread count.
import { describe, expect, it } from 'vitest';
import { ConnectorRecordsQuery, RecordChangedSubscription } from '../graphql/records';
import { AlertAddedSubscription, AlertsQuery, MarkAlertsReadMutation } from '../graphql/notifications';
import { createTestClient } from './testServer';

const CONNECTOR = 'Q29ubmVjdG9yOjE='; // Connector:1

function record(id: string, state: string, name = `project ${id}`) {
  return {
    __typename: 'Record', id, name, vendorKey: `key-${id}`, state, metadata: null,
    firstDiscoveredAt: '2026-01-01T00:00:00.000Z', lastDiscoveredAt: '2026-01-02T00:00:00.000Z', finalizedAt: null,
    product: null, connector: { __typename: 'Connector', id: CONNECTOR },
  };
}

function recordsPage(nodes: ReturnType<typeof record>[]) {
  return {
    node: {
      __typename: 'Connector', id: CONNECTOR,
      records: {
        __typename: 'ConnectorRecordsConnection', totalCount: nodes.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: nodes.length ? `c${nodes.length}` : null },
        nodes,
      },
    },
  };
}

function alert(id: string, title: string, readAt: string | null = null) {
  return { __typename: 'Alert', id, title, description: null, url: null, event: 'product_added', createdAt: '2026-01-03T00:00:00.000Z', readAt };
}

describe('cache updaters', () => {
  it('moves a record between the unmapped and mapped lists as its state changes, and inserts new ones', async () => {
    const { client, push } = createTestClient((op) => {
      const states = (op.variables as { states: string[] }).states;
      return recordsPage(states.includes('NEW') ? [record('r1', 'NEW')] : []);
    });
    const unmapped = { connectorId: CONNECTOR, first: 20, states: ['NEW', 'IGNORED'] as const };
    const mapped = { connectorId: CONNECTOR, first: 20, states: ['GOOD', 'STALE', 'MISSING'] as const };
    await client.query(ConnectorRecordsQuery, { ...unmapped, states: [...unmapped.states] }).toPromise();
    await client.query(ConnectorRecordsQuery, { ...mapped, states: [...mapped.states] }).toPromise();
    const subscription = client.subscription(RecordChangedSubscription, { connectorId: CONNECTOR }).subscribe(() => {});

    const read = async (vars: typeof unmapped | typeof mapped) => {
      const { data } = await client.query(ConnectorRecordsQuery, { ...vars, states: [...vars.states] }, { requestPolicy: 'cache-only' }).toPromise();
      const records = data?.node?.__typename === 'Connector' ? data.node.records : null;
      return { ids: records?.nodes.map((n) => `${n.id}:${n.state}`), total: records?.totalCount };
    };

    push('recordChanged', { recordChanged: record('r1', 'GOOD') });
    expect(await read(unmapped)).toEqual({ ids: [], total: 0 });
    expect(await read(mapped)).toEqual({ ids: ['r1:GOOD'], total: 1 });

    push('recordChanged', { recordChanged: record('r2', 'NEW') });
    push('recordChanged', { recordChanged: record('r3', 'NEW') });
    expect(await read(unmapped)).toEqual({ ids: ['r3:NEW', 'r2:NEW'], total: 2 });

    // a rename changes no list: the record is updated where it is
    push('recordChanged', { recordChanged: record('r2', 'NEW', 'renamed') });
    expect(await read(unmapped)).toEqual({ ids: ['r3:NEW', 'r2:NEW'], total: 2 });
    subscription.unsubscribe();
  });

  it('puts a new alert at the top of the bell with one more unread, and marking all read clears it', async () => {
    const { client, push } = createTestClient((op) => {
      if (op.kind === 'mutation') return { markAlertsRead: { __typename: 'MarkAlertsReadPayload', unreadCount: 0 } };
      return {
        alerts: {
          __typename: 'QueryAlertsConnection', totalCount: 1, unreadCount: 0,
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'c1' },
          nodes: [alert('a1', 'Old', '2026-01-03T01:00:00.000Z')],
        },
      };
    });
    await client.query(AlertsQuery, { first: 10 }).toPromise();
    const subscription = client.subscription(AlertAddedSubscription, {}).subscribe(() => {});
    const read = async () => (await client.query(AlertsQuery, { first: 10 }, { requestPolicy: 'cache-only' }).toPromise()).data?.alerts;

    push('alertAdded', { alertAdded: alert('a2', 'Product Payments added') });
    const after = await read();
    expect(after?.nodes.map((a) => a.title)).toEqual(['Product Payments added', 'Old']);
    expect(after?.unreadCount).toBe(1);
    expect(after?.totalCount).toBe(2);

    await client.mutation(MarkAlertsReadMutation, { input: { all: true } }).toPromise();
    const read2 = await read();
    expect(read2?.unreadCount).toBe(0);
    expect(read2?.nodes.every((a) => a.readAt !== null)).toBe(true);
    subscription.unsubscribe();
  });
});
