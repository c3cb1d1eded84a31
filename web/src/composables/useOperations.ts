// A connector's operations: the list, one operation, starting a discover or sync, the live feed.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery, useSubscription } from '@urql/vue';
import {
  ConnectorOperationsQuery, OperationChangedSubscription, OperationQuery, RunDiscoverMutation, RunSyncMutation,
} from '../graphql/operations';
import type { VariablesOf } from '../graphql/tada';
import { errorMessage } from '../errorMessage';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type OperationType = NonNullable<VariablesOf<typeof ConnectorOperationsQuery>['type']>;

/** newest first */
export function useConnectorOperations(connectorId: MaybeRefOrGetter<string>, type: MaybeRefOrGetter<OperationType | null> = null, pageSize?: number) {
  return useConnection({
    query: ConnectorOperationsQuery,
    variables: () => ({ connectorId: toValue(connectorId), type: toValue(type) }),
    connection: (data) => (data.node?.__typename === 'Connector' ? data.node.operations : null),
    pageSize,
  });
}

export function useOperation(id: MaybeRefOrGetter<string>) {
  const query = useQuery({ query: OperationQuery, variables: () => ({ id: toValue(id) }) });
  return {
    operation: computed(() => (query.data.value?.node?.__typename === 'Operation' ? query.data.value.node : null)),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

/** keeps operations (status, progress) and their lists current; null: every connector the viewer sees */
export function useOperationEvents(connectorId: MaybeRefOrGetter<string | null> = null) {
  return useSubscription({ query: OperationChangedSubscription, variables: () => ({ connectorId: toValue(connectorId) }) });
}

export const useRunDiscover = () => useMutationAction(RunDiscoverMutation, { success: 'Discover queued' });
export const useRunSync = () => useMutationAction(RunSyncMutation, { success: 'Sync queued' });
