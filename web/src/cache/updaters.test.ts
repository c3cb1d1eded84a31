// The cache keeps lists current from events: a record changing state moves between the filtered
// lists (with their counts), a new one lands at the top, a new alert raises the unread count.
import { describe, expect, it } from 'vitest';
import { ConnectorRecordsQuery, RecordChangedSubscription } from '../graphql/records';
import { AlertAddedSubscription, AlertsQuery, DeliveriesQuery, DeliveryChangedSubscription, MarkAlertsReadMutation } from '../graphql/notifications';
import { AddFindingNoteMutation } from '../graphql/findings';
import { graphql } from '../graphql/tada';
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation } from '../graphql/admin';
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

  it('shows a note added to a finding: its notes are asked again, the new one last', async () => {
    const FindingNotes = graphql(`
      query FindingNotesForTest($id: ID!) {
        node(id: $id) { __typename ... on Finding { id notes(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id text } } } }
      }
    `);
    const FINDING = 'RmluZGluZzox'; // Finding:1
    const notes = [{ __typename: 'FindingNote', id: 'n1', text: 'first' }];
    const { client } = createTestClient((op) => {
      if (op.kind === 'mutation') {
        notes.push({ __typename: 'FindingNote', id: 'n2', text: 'second, for @alice' });
        return { addFindingNote: { __typename: 'FindingPayload', finding: { __typename: 'Finding', id: FINDING } } };
      }
      return {
        node: {
          __typename: 'Finding', id: FINDING,
          notes: { __typename: 'FindingNotesConnection', totalCount: notes.length, pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: `c${notes.length}` }, nodes: [...notes] },
        },
      };
    });
    const texts = async () => {
      const { data } = await client.query(FindingNotes, { id: FINDING }).toPromise();
      return data?.node?.__typename === 'Finding' ? data.node.notes?.nodes.map((n) => n.text) : undefined;
    };
    expect(await texts()).toEqual(['first']);
    await client.mutation(AddFindingNoteMutation, { input: { findingId: FINDING, text: 'second, for @alice' } }).toPromise();
    expect(await texts()).toEqual(['first', 'second, for @alice']);
  });

  it('moves a delivery between the status-filtered delivery lists live, and refetches a webhook\'s list for a webhook delivery it lacks', async () => {
    const WEBHOOK = 'V2ViaG9vazox'; // Webhook:1
    const delivery = (id: string, status: string, method = 'WEBHOOKS') => ({
      __typename: 'Delivery', id, event: 'scan_added', method, status, attempts: status === 'SENT' ? 1 : 0, lastError: null,
      createdAt: '2026-01-03T00:00:00.000Z', sentAt: status === 'SENT' ? '2026-01-03T00:00:01.000Z' : null, nextAttemptAt: '2026-01-03T00:00:00.000Z', user: null,
    });
    let webhookAsked = 0;
    const { client, push } = createTestClient((op) => {
      const filter = (op.variables as { filter?: { status?: string; webhookId?: string } | null }).filter ?? {};
      if (filter.webhookId) webhookAsked += 1;
      const nodes = filter.status === 'SENT' ? [] : [delivery('d1', 'PENDING')];
      return { deliveries: { __typename: 'QueryDeliveriesConnection', totalCount: nodes.length, pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: nodes.length ? 'c1' : null }, nodes } };
    });
    const lists = { all: null, pending: { status: 'PENDING' as const }, sent: { status: 'SENT' as const }, webhook: { webhookId: WEBHOOK } };
    for (const filter of Object.values(lists)) await client.query(DeliveriesQuery, { first: 25, filter }).toPromise();
    const subscription = client.subscription(DeliveryChangedSubscription, {}).subscribe(() => {});
    const read = async (filter: (typeof lists)[keyof typeof lists]) => {
      const data = (await client.query(DeliveriesQuery, { first: 25, filter }, { requestPolicy: 'cache-only' }).toPromise()).data?.deliveries;
      return { ids: data?.nodes.map((d) => `${d.id}:${d.status}`), total: data?.totalCount };
    };
    expect(webhookAsked).toBe(1);

    push('deliveryChanged', { deliveryChanged: delivery('d1', 'SENT') });
    expect(await read(lists.all)).toEqual({ ids: ['d1:SENT'], total: 1 });
    expect(await read(lists.pending)).toEqual({ ids: [], total: 0 });
    expect(await read(lists.sent)).toEqual({ ids: ['d1:SENT'], total: 1 });
    expect(await read(lists.webhook)).toEqual({ ids: ['d1:SENT'], total: 1 });

    // a new alert delivery: never a webhook's
    push('deliveryChanged', { deliveryChanged: delivery('d2', 'PENDING', 'ALERT') });
    expect(await read(lists.all)).toEqual({ ids: ['d2:PENDING', 'd1:SENT'], total: 2 });
    expect(await read(lists.pending)).toEqual({ ids: ['d2:PENDING'], total: 1 });
    expect(await read(lists.webhook)).toEqual({ ids: ['d1:SENT'], total: 1 });
    expect(webhookAsked).toBe(1);

    // a new webhook delivery: which webhook is the server's to say
    push('deliveryChanged', { deliveryChanged: delivery('d3', 'PENDING') });
    expect(await read(lists.all)).toEqual({ ids: ['d3:PENDING', 'd2:PENDING', 'd1:SENT'], total: 3 });
    await client.query(DeliveriesQuery, { first: 25, filter: lists.webhook }).toPromise();
    expect(webhookAsked).toBe(2);
    subscription.unsubscribe();
  });

  it('puts a new API token at the top of the token list and takes a revoked one out', async () => {
    const token = (n: number) => ({ __typename: 'ApiToken', id: btoa(`ApiToken:${n}`), name: `ci ${n}`, createdAt: '2026-01-03T00:00:00.000Z', lastUsedAt: null });
    let stored = [token(1)];
    const { client } = createTestClient((op) => {
      const document = op.query.loc?.source.body ?? '';
      if (document.includes('createApiToken')) {
        stored = [token(2), ...stored];
        return { createApiToken: { __typename: 'CreateApiTokenPayload', token: 'trb_secret', apiToken: token(2) } };
      }
      if (document.includes('revokeApiToken')) {
        stored = stored.filter((t) => t.id !== token(1).id);
        return { revokeApiToken: { __typename: 'OkPayload', ok: true } };
      }
      return { apiTokens: { __typename: 'QueryApiTokensConnection', totalCount: stored.length, pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'c' }, nodes: stored } };
    });
    const names = async (requestPolicy: 'cache-only' | 'cache-first' = 'cache-only') =>
      (await client.query(ApiTokensQuery, { first: 20 }, { requestPolicy }).toPromise()).data?.apiTokens?.nodes.map((t) => t.name);
    expect(await names('cache-first')).toEqual(['ci 1']);
    await client.mutation(CreateApiTokenMutation, { input: { name: 'ci 2' } }).toPromise();
    expect(await names()).toEqual(['ci 2', 'ci 1']);
    await client.mutation(RevokeApiTokenMutation, { input: { id: token(1).id } }).toPromise();
    // the revoked token is dropped: the list is asked again
    expect(await names('cache-first')).toEqual(['ci 2']);
  });
});
