// Findings: lists with the shared filter, one finding with its notes, counts, and the changes.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@urql/vue';
import {
  AddFindingNoteMutation, DeleteFindingMutation, FindingFilterProductQuery, FindingQuery, FindingsQuery, OpenFindingsBySeverityQuery,
  RequestFindingReviewMutation, UpdateFindingMutation,
} from '../graphql/findings';
import type { ResultOf, VariablesOf } from '../graphql/tada';
import { errorMessage } from '../errorMessage';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type FindingFilter = NonNullable<VariablesOf<typeof FindingsQuery>['filter']>;
export type Severity = NonNullable<FindingFilter['severities']>[number];

/** most severe first, as the server orders them */
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

export type FindingRow = ResultOf<typeof FindingsQuery>['findings'] extends infer C
  ? C extends { nodes: ReadonlyArray<infer N> } ? N : never : never;

export function useFindingList(filter: MaybeRefOrGetter<FindingFilter | null> = null, pageSize?: number) {
  return useConnection({
    query: FindingsQuery,
    variables: () => ({ filter: toValue(filter) }),
    connection: (data) => data.findings,
    pageSize,
  });
}

export function useFinding(id: MaybeRefOrGetter<string>, notesPageSize = 50) {
  const query = useQuery({ query: FindingQuery, variables: () => ({ id: toValue(id), notesFirst: notesPageSize }), requestPolicy: 'cache-and-network' });
  return {
    finding: computed(() => (query.data.value?.node?.__typename === 'Finding' ? query.data.value.node : null)),
    missing: computed(() => !!query.data.value && query.data.value.node?.__typename !== 'Finding'),
    loading: computed(() => query.fetching.value && !query.data.value),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
    refetch: () => query.executeQuery({ requestPolicy: 'network-only' }),
  };
}

/** the name of the product a findings list is narrowed to */
export function useFindingFilterProduct(id: MaybeRefOrGetter<string | null>) {
  const query = useQuery({ query: FindingFilterProductQuery, variables: () => ({ id: toValue(id) ?? '' }), pause: () => !toValue(id) });
  return computed(() => (toValue(id) && query.data.value?.node?.__typename === 'Product' ? query.data.value.node : null));
}

/** open (active) findings per severity across the viewer's products */
export function useOpenFindingsBySeverity() {
  const query = useQuery({ query: OpenFindingsBySeverityQuery, requestPolicy: 'cache-and-network' });
  return {
    counts: computed(() => {
      const s = query.data.value?.findingSummary;
      if (!s) return null;
      return { CRITICAL: s.critical ?? 0, HIGH: s.high ?? 0, MEDIUM: s.medium ?? 0, LOW: s.low ?? 0, INFO: s.info ?? 0 } satisfies Record<Severity, number>;
    }),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export const useUpdateFinding = (success: string | null = 'Finding saved') => useMutationAction(UpdateFindingMutation, success ? { success } : {});
export const useAddFindingNote = () => useMutationAction(AddFindingNoteMutation, { success: 'Note added' });
export const useRequestFindingReview = () => useMutationAction(RequestFindingReviewMutation, { success: 'Review requested' });
export const useDeleteFinding = () => useMutationAction(DeleteFindingMutation, { success: 'Finding deleted' });
