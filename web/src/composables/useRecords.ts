// A connector's records: filtered lists, the record actions, and the live feed keeping lists current.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useSubscription } from '@urql/vue';
import {
  ConnectorRecordsQuery, DeleteRecordMutation, IgnoreRecordMutation, MapRecordMutation, RecordChangedSubscription, RecordFields,
  RestoreRecordMutation,
} from '../graphql/records';
import type { ResultOf } from '../graphql/tada';
import { runForEach, summarizeBulk, type BulkSummary } from '../components/connectors/bulkActions';
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

export type RecordRow = ResultOf<typeof RecordFields>;
export type RecordAction = 'ignore' | 'restore' | 'delete';
/** where records are mapped: an existing product, or a new one created for the first of them */
export type MapTarget = { productId: string } | { productName: string };

const DONE: Record<RecordAction, string> = { ignore: 'Ignored', restore: 'Restored', delete: 'Deleted' };

/**
 * The record actions for one record or a selection: one mutation per record (the API has no bulk
 * form), each failure kept with the server's message for that record.
 */
export function useRecordActions() {
  const mapRecord = useMapRecord();
  const ignore = useIgnoreRecord();
  const restore = useRestoreRecord();
  const remove = useDeleteRecord();

  async function apply(action: RecordAction, records: readonly RecordRow[]): Promise<BulkSummary> {
    const mutation = action === 'ignore' ? ignore : action === 'restore' ? restore : remove;
    const outcomes = await runForEach(records, async (record) => ((await mutation.run({ input: { recordId: record.id } })) ? null : mutation.error.value ?? 'failed'));
    return summarizeBulk(DONE[action], outcomes, (record) => record.name ?? record.vendorKey ?? record.id);
  }

  async function mapTo(records: readonly RecordRow[], target: MapTarget): Promise<BulkSummary> {
    // a new product is created with the first record; the rest join it by id
    let productId = 'productId' in target ? target.productId : null;
    const outcomes = await runForEach(records, async (record) => {
      const input = productId ? { recordId: record.id, productId } : { recordId: record.id, productName: (target as { productName: string }).productName };
      const data = await mapRecord.run({ input });
      if (!data) return mapRecord.error.value ?? 'failed';
      productId ??= data.mapRecord?.record?.product?.id ?? null;
      return null;
    });
    return summarizeBulk('Mapped', outcomes, (record) => record.name ?? record.vendorKey ?? record.id);
  }

  return {
    apply,
    mapTo,
    busy: computed(() => mapRecord.busy.value || ignore.busy.value || restore.busy.value || remove.busy.value),
  };
}
