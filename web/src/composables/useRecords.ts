// A connector's records: filtered lists, the record actions, and the live feed keeping lists current.
import { toValue, type MaybeRefOrGetter } from 'vue';
import { useSubscription } from '@urql/vue';
import {
  ConnectorRecordsQuery, DeleteRecordMutation, IgnoreRecordMutation, MapRecordMutation, RecordChangedSubscription,
  RestoreRecordMutation,
} from '../graphql/records';
import type { ResultOf } from '../graphql/tada';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type RecordState = NonNullable<ResultOf<typeof ConnectorRecordsQuery>['node'] extends infer N
  ? N extends { records?: { nodes: ReadonlyArray<{ state: infer S }> } | null } ? S : never : never>;

/** the records of the pages' two tables */
export const UNMAPPED_STATES: RecordState[] = ['NEW', 'IGNORED'];
export const MAPPED_STATES: RecordState[] = ['GOOD', 'STALE', 'MISSING'];

export function useConnectorRecords(connectorId: MaybeRefOrGetter<string>, states: MaybeRefOrGetter<RecordState[] | null>, pageSize?: number) {
  return useConnection({
    query: ConnectorRecordsQuery,
    variables: () => ({ connectorId: toValue(connectorId), states: toValue(states) }),
    connection: (data) => (data.node?.__typename === 'Connector' ? data.node.records : null),
    pageSize,
  });
}

/** keeps every cached list of this connector's records current while the page is open */
export function useRecordEvents(connectorId: MaybeRefOrGetter<string | null>) {
  return useSubscription({ query: RecordChangedSubscription, variables: () => ({ connectorId: toValue(connectorId) }) });
}

export const useMapRecord = () => useMutationAction(MapRecordMutation, { success: (data) => `Mapped to ${data.mapRecord?.record?.product?.name ?? 'the product'}` });
export const useIgnoreRecord = () => useMutationAction(IgnoreRecordMutation, { success: 'Record ignored' });
export const useRestoreRecord = () => useMutationAction(RestoreRecordMutation, { success: 'Record restored' });
export const useDeleteRecord = () => useMutationAction(DeleteRecordMutation, { success: 'Record deleted' });
