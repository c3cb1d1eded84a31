// Connectors and the kinds they can be.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@urql/vue';
import {
  ConnectorKindsQuery, ConnectorQuery, ConnectorsQuery, CreateConnectorMutation, DeleteConnectorMutation,
  TestConnectorMutation, UpdateConnectorMutation,
} from '../graphql/connectors';
import { errorMessage } from '../errorMessage';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

/** connectors, each with its newest operation (health) */
export function useConnectorList(pageSize?: number) {
  return useConnection({ query: ConnectorsQuery, connection: (data) => data.connectors, pageSize });
}

export function useConnector(id: MaybeRefOrGetter<string>) {
  const query = useQuery({ query: ConnectorQuery, variables: () => ({ id: toValue(id) }) });
  return {
    connector: computed(() => (query.data.value?.node?.__typename === 'Connector' ? query.data.value.node : null)),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

/** the kinds with the fields their form asks for (options keys, url, secret) */
export function useConnectorKinds() {
  // the kinds are the server's code: they do not change while the page is open
  const query = useQuery({ query: ConnectorKindsQuery, requestPolicy: 'cache-first' });
  return {
    kinds: computed(() => query.data.value?.connectorKinds ?? []),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export const useCreateConnector = () => useMutationAction(CreateConnectorMutation, { success: 'Connector created' });
export const useUpdateConnector = () => useMutationAction(UpdateConnectorMutation, { success: 'Connector saved' });
export const useDeleteConnector = () => useMutationAction(DeleteConnectorMutation, { success: 'Connector deleted' });
/** the server's message says what to fix; `ok: false` is an answer, not an error */
export const useTestConnector = () => useMutationAction(TestConnectorMutation, { success: (data) => data.testConnector?.message ?? null });
