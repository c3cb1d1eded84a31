// What each event and mutation result does to the cached lists, so every list showing a record,
// an operation or an alert follows it without a refetch. Changed fields of an entity need nothing
// here (the cache is normalized); these handle membership: a record moving from NEW to GOOD leaves
// the "unmapped" list and joins the "mapped" one, a new operation appears at the top, and so on.
import type { Cache, UpdatesConfig } from '@urql/exchange-graphcache';
import { graphql, type ResultOf } from '../graphql/tada';
import type { RecordFields } from '../graphql/records';
import type { OperationFields } from '../graphql/operations';
import type { AlertFields, DeliveryFields } from '../graphql/notifications';
import { adjustListCount, cachedLists, placeInLists } from './connectionLists';
import type { ConnectionField } from './schemaShape';
import { typenameOfGlobalId } from './globalId';

type RecordEvent = Pick<ResultOf<typeof RecordFields>, 'id' | 'state' | 'connector'>;
type OperationEvent = Pick<ResultOf<typeof OperationFields>, 'id' | 'type' | 'connector'>;
type AlertEvent = Pick<ResultOf<typeof AlertFields>, 'id' | 'readAt'>;
type MemberInput = { productId: string; userId: string };
type DeliveryEvent = Pick<ResultOf<typeof DeliveryFields>, 'id' | 'status' | 'method'>;

const AlertReadAt = graphql(`fragment AlertReadAt on Alert { __typename id readAt }`);

export function createUpdaters(connections: ConnectionField[]) {
  const field = (parentType: string, fieldName: string): ConnectionField => {
    const found = connections.find((c) => c.parentType === parentType && c.fieldName === fieldName);
    if (!found) throw new Error(`the schema has no connection ${parentType}.${fieldName}`);
    return found;
  };
  const connectorRecords = field('Connector', 'records');
  const connectorOperations = field('Connector', 'operations');
  const queryAlerts = field('Query', 'alerts');
  const queryDeliveries = field('Query', 'deliveries');
  const queryApiTokens = field('Query', 'apiTokens');

  function placeRecord(cache: Cache, record: RecordEvent | null | undefined): void {
    const entityKey = record?.id ? cache.keyOfEntity({ __typename: 'Record', id: record.id }) : null;
    if (!record?.connector || !entityKey) return;
    placeInLists(cache, {
      field: connectorRecords,
      parentKey: cache.keyOfEntity({ __typename: 'Connector', id: record.connector.id })!,
      entityKey,
      belongs: (args) => !Array.isArray(args.states) || (record.state != null && args.states.includes(record.state)),
    });
  }

  function placeOperation(cache: Cache, operation: OperationEvent | null | undefined): void {
    const entityKey = operation?.id ? cache.keyOfEntity({ __typename: 'Operation', id: operation.id }) : null;
    if (!operation?.connector || !entityKey) return;
    placeInLists(cache, {
      field: connectorOperations,
      parentKey: cache.keyOfEntity({ __typename: 'Connector', id: operation.connector.id })!,
      entityKey,
      belongs: (args) => args.type == null || args.type === operation.type,
    });
  }

  function addAlert(cache: Cache, alert: AlertEvent | null | undefined): void {
    const entityKey = alert?.id ? cache.keyOfEntity({ __typename: 'Alert', id: alert.id }) : null;
    if (!alert || !entityKey) return;
    const added = placeInLists(cache, { field: queryAlerts, parentKey: 'Query', entityKey, belongs: () => true });
    if (added && !alert.readAt) {
      for (const list of cachedLists(cache, 'Query', 'alerts')) adjustListCount(cache, queryAlerts, 'Query', list, 'unreadCount', +1);
    }
  }

  /**
   * A delivery written or changing status joins the delivery lists whose status and method filters
   * it matches and leaves the others. A Delivery does not say its webhook, so a list filtered by
   * webhook keeps a delivery it already holds (while its status still fits) and asks the server
   * again for a webhook delivery it does not hold yet.
   */
  function placeDelivery(cache: Cache, delivery: DeliveryEvent | null | undefined): void {
    const entityKey = delivery?.id ? cache.keyOfEntity({ __typename: 'Delivery', id: delivery.id }) : null;
    if (!delivery || !entityKey) return;
    const fits = (f: Record<string, unknown>) => (f.status == null || f.status === delivery.status) && (f.method == null || f.method === delivery.method);
    const held = new Set<string>();
    for (const list of cachedLists(cache, 'Query', 'deliveries')) {
      const f = ((list[0]!.arguments ?? {}).filter ?? {}) as Record<string, unknown>;
      if (f.webhookId == null) continue;
      if (listHolds(cache, list, entityKey)) held.add(JSON.stringify(f));
      else if (delivery.method === 'WEBHOOKS' && fits(f)) for (const page of list) cache.invalidate('Query', page.fieldName, page.arguments ?? undefined);
    }
    placeInLists(cache, {
      field: queryDeliveries,
      parentKey: 'Query',
      entityKey,
      belongs: (args) => {
        const f = (args.filter ?? {}) as Record<string, unknown>;
        return fits(f) && (f.webhookId == null || held.has(JSON.stringify(f)));
      },
    });
  }

  function listHolds(cache: Cache, list: ReturnType<typeof cachedLists>[number], entityKey: string): boolean {
    return list.some((page) => {
      const pageKey = cache.resolve('Query', page.fieldKey);
      const nodes = typeof pageKey === 'string' ? cache.resolve(pageKey, 'nodes') : null;
      return Array.isArray(nodes) && nodes.includes(entityKey);
    });
  }

  function setUnreadCount(cache: Cache, unreadCount: number | null | undefined): void {
    if (unreadCount == null) return;
    for (const list of cachedLists(cache, 'Query', 'alerts')) adjustListCount(cache, queryAlerts, 'Query', list, 'unreadCount', () => unreadCount);
  }

  /** the alerts the cache holds in any list: "mark all read" marks these without asking again */
  function cachedAlertIds(cache: Cache): string[] {
    const ids = new Set<string>();
    for (const list of cachedLists(cache, 'Query', 'alerts')) {
      for (const page of list) {
        const pageKey = cache.resolve('Query', page.fieldKey);
        const nodes = typeof pageKey === 'string' ? cache.resolve(pageKey, 'nodes') : null;
        if (Array.isArray(nodes)) for (const node of nodes) if (typeof node === 'string') ids.add(cache.resolve(node, 'id') as string);
      }
    }
    return [...ids];
  }

  /** a deleted entity: its id tells its type; lists that linked it refetch (their counts changed too) */
  function dropEntity(cache: Cache, deletedId: string | null | undefined): void {
    const typename = deletedId ? typenameOfGlobalId(deletedId) : null;
    if (typename) cache.invalidate({ __typename: typename, id: deletedId! });
  }

  function refetchMemberships(cache: Cache, input: MemberInput): void {
    refetchField(cache, cache.keyOfEntity({ __typename: 'User', id: input.userId }), 'memberships');
    refetchField(cache, cache.keyOfEntity({ __typename: 'Product', id: input.productId }), 'members');
  }

  /** every cached page of a field, e.g. after a create whose place in a sorted list only the server knows */
  function refetchField(cache: Cache, parentKey: string | null, fieldName: string): void {
    if (!parentKey) return;
    for (const info of cache.inspectFields(parentKey)) {
      if (info.fieldName === fieldName) cache.invalidate(parentKey, fieldName, info.arguments ?? undefined);
    }
  }

  const updates: UpdatesConfig = {
    Subscription: {
      recordChanged: (result, _args, cache) => placeRecord(cache, (result as { recordChanged?: RecordEvent }).recordChanged),
      operationChanged: (result, _args, cache) => placeOperation(cache, (result as { operationChanged?: OperationEvent }).operationChanged),
      alertAdded: (result, _args, cache) => addAlert(cache, (result as { alertAdded?: AlertEvent }).alertAdded),
      deliveryChanged: (result, _args, cache) => placeDelivery(cache, (result as { deliveryChanged?: DeliveryEvent }).deliveryChanged),
    },
    Mutation: {
      mapRecord: (result, _args, cache) => placeRecord(cache, (result as { mapRecord?: { record?: RecordEvent } }).mapRecord?.record),
      ignoreRecord: (result, _args, cache) => placeRecord(cache, (result as { ignoreRecord?: { record?: RecordEvent } }).ignoreRecord?.record),
      restoreRecord: (result, _args, cache) => placeRecord(cache, (result as { restoreRecord?: { record?: RecordEvent } }).restoreRecord?.record),
      runDiscover: (result, _args, cache) => placeOperation(cache, (result as { runDiscover?: { operation?: OperationEvent } }).runDiscover?.operation),
      runSync: (result, _args, cache) => placeOperation(cache, (result as { runSync?: { operation?: OperationEvent } }).runSync?.operation),
      markAlertsRead: (result, args, cache) => {
        const input = (args as { input: { ids?: string[] | null; all?: boolean | null } }).input;
        const readAt = new Date().toISOString();
        for (const id of input.all ? cachedAlertIds(cache) : input.ids ?? []) {
          if (cache.resolve({ __typename: 'Alert', id }, 'readAt') == null) cache.writeFragment(AlertReadAt, { __typename: 'Alert' as const, id, readAt });
        }
        setUnreadCount(cache, (result as { markAlertsRead?: { unreadCount?: number | null } }).markAlertsRead?.unreadCount);
      },
      // a new row's place in a sorted (by name) or filtered list is the server's to say
      createProduct: (_result, _args, cache) => refetchField(cache, 'Query', 'products'),
      createConnector: (_result, _args, cache) => refetchField(cache, 'Query', 'connectors'),
      createWebhook: (_result, _args, cache) => refetchField(cache, 'Query', 'webhooks'),
      createEngagement: (_result, args, cache) => {
        refetchField(cache, cache.keyOfEntity({ __typename: 'Product', id: (args as { input: { productId: string } }).input.productId }), 'engagements');
      },
      createTest: (_result, args, cache) => {
        refetchField(cache, cache.keyOfEntity({ __typename: 'Engagement', id: (args as { input: { engagementId: string } }).input.engagementId }), 'tests');
      },
      createFinding: (_result, args, cache) => {
        refetchField(cache, cache.keyOfEntity({ __typename: 'Test', id: (args as { input: { testId: string } }).input.testId }), 'findings');
        refetchField(cache, 'Query', 'findings');
      },
      // status flags and severity decide which filtered finding lists (and counts) hold a finding
      updateFinding: (result, _args, cache) => {
        const test = (result as { updateFinding?: { finding?: { test?: { id: string; engagement?: { id: string; product?: { id: string } | null } | null } | null } | null } }).updateFinding?.finding?.test;
        refetchField(cache, 'Query', 'findings');
        if (test) refetchField(cache, cache.keyOfEntity({ __typename: 'Test', id: test.id }), 'findings');
        if (test?.engagement) refetchField(cache, cache.keyOfEntity({ __typename: 'Engagement', id: test.engagement.id }), 'findings');
        if (test?.engagement?.product) refetchField(cache, cache.keyOfEntity({ __typename: 'Product', id: test.engagement.product.id }), 'findings');
      },
      // a note is appended to the finding's notes (oldest first): the server says where it ends up
      addFindingNote: (_result, args, cache) => {
        refetchField(cache, cache.keyOfEntity({ __typename: 'Finding', id: (args as { input: { findingId: string } }).input.findingId }), 'notes');
      },
      deleteConnector: (result, _args, cache) => dropEntity(cache, (result as { deleteConnector?: { deletedId?: string } }).deleteConnector?.deletedId),
      deleteRecord: (result, _args, cache) => dropEntity(cache, (result as { deleteRecord?: { deletedId?: string } }).deleteRecord?.deletedId),
      deleteProduct: (result, _args, cache) => dropEntity(cache, (result as { deleteProduct?: { deletedId?: string } }).deleteProduct?.deletedId),
      deleteEngagement: (result, _args, cache) => dropEntity(cache, (result as { deleteEngagement?: { deletedId?: string } }).deleteEngagement?.deletedId),
      deleteTest: (result, _args, cache) => dropEntity(cache, (result as { deleteTest?: { deletedId?: string } }).deleteTest?.deletedId),
      deleteFinding: (result, _args, cache) => dropEntity(cache, (result as { deleteFinding?: { deletedId?: string } }).deleteFinding?.deletedId),
      deleteWebhook: (result, _args, cache) => dropEntity(cache, (result as { deleteWebhook?: { deletedId?: string } }).deleteWebhook?.deletedId),
      // admin: a new user's place in the list by email is the server's to say; roles change the user's memberships
      createUser: (_result, _args, cache) => refetchField(cache, 'Query', 'users'),
      addProductMember: (_result, args, cache) => refetchMemberships(cache, (args as { input: MemberInput }).input),
      removeProductMember: (_result, args, cache) => refetchMemberships(cache, (args as { input: MemberInput }).input),
      // the viewer's tokens are newest first: a new one goes on top; a revoked one (by id) leaves every list
      createApiToken: (result, _args, cache) => {
        const id = (result as { createApiToken?: { apiToken?: { id?: string } | null } }).createApiToken?.apiToken?.id;
        if (id) placeInLists(cache, { field: queryApiTokens, parentKey: 'Query', entityKey: cache.keyOfEntity({ __typename: 'ApiToken', id })!, belongs: () => true });
      },
      revokeApiToken: (result, args, cache) => {
        const id = (args as { input: { id?: string | null } }).input.id;
        if ((result as { revokeApiToken?: { ok?: boolean | null } }).revokeApiToken?.ok && id) dropEntity(cache, id);
      },
    },
  };
  return updates;
}
