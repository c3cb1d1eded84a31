// Products and their engagements, tests and import history.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@urql/vue';
import {
  CloseEngagementMutation, CreateProductMutation, DeleteEngagementMutation, DeleteProductMutation, DeleteTestMutation,
  EngagementQuery, EngagementTestsQuery, ImportedFindingsQuery, ProductEngagementsQuery, ProductQuery, ProductsQuery,
  ReopenEngagementMutation, TestImportsQuery, TestQuery, UpdateProductMutation, type ProductMemberFields,
} from '../graphql/products';
import type { ResultOf } from '../graphql/tada';
import { membershipRole, productPermissions } from '../components/product/productPermissions';
import { useViewer } from './useViewer';
import { errorMessage } from '../errorMessage';
import { useConnection } from './useConnection';
import { useMutationAction } from './useMutationAction';

export type ProductRow = ResultOf<typeof ProductsQuery>['products'] extends infer C
  ? C extends { nodes: ReadonlyArray<infer N> } ? N : never : never;

/** products by name, optionally those whose name contains `search` */
export function useProductList(options: { pageSize?: number; search?: MaybeRefOrGetter<string> } = {}) {
  return useConnection({
    query: ProductsQuery,
    variables: () => ({ search: toValue(options.search)?.trim() || null }),
    connection: (data) => data.products,
    pageSize: options.pageSize,
  });
}

export function useProduct(id: MaybeRefOrGetter<string>) {
  const query = useQuery({ query: ProductQuery, variables: () => ({ id: toValue(id) }), requestPolicy: 'cache-and-network' });
  return {
    product: computed(() => (query.data.value?.node?.__typename === 'Product' ? query.data.value.node : null)),
    /** answered, and no such product (or one the viewer may not see: the API says the same) */
    missing: computed(() => !!query.data.value && query.data.value.node?.__typename !== 'Product'),
    loading: computed(() => query.fetching.value && !query.data.value),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export type ProductMembers = ResultOf<typeof ProductMemberFields>['members'];

/** what the viewer may do on a product, from its members (see productPermissions.ts) */
export function useProductPermissions(members: MaybeRefOrGetter<ProductMembers | null | undefined>) {
  const { viewer } = useViewer();
  const role = computed(() => membershipRole(viewer.value, toValue(members)));
  const permissions = computed(() => productPermissions(viewer.value, role.value));
  return { role, permissions, can: (permission: Parameters<typeof permissions.value.has>[0]) => permissions.value.has(permission) };
}

export function useEngagement(id: MaybeRefOrGetter<string>) {
  const query = useQuery({ query: EngagementQuery, variables: () => ({ id: toValue(id) }), requestPolicy: 'cache-and-network' });
  return {
    engagement: computed(() => (query.data.value?.node?.__typename === 'Engagement' ? query.data.value.node : null)),
    missing: computed(() => !!query.data.value && query.data.value.node?.__typename !== 'Engagement'),
    loading: computed(() => query.fetching.value && !query.data.value),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export function useTest(id: MaybeRefOrGetter<string>) {
  const query = useQuery({ query: TestQuery, variables: () => ({ id: toValue(id) }), requestPolicy: 'cache-and-network' });
  return {
    test: computed(() => (query.data.value?.node?.__typename === 'Test' ? query.data.value.node : null)),
    missing: computed(() => !!query.data.value && query.data.value.node?.__typename !== 'Test'),
    loading: computed(() => query.fetching.value && !query.data.value),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

/** the findings one import touched, asked for only once someone opens that part of the history */
export function useImportedFindings(ids: MaybeRefOrGetter<readonly string[]>, pause: MaybeRefOrGetter<boolean>) {
  const query = useQuery({ query: ImportedFindingsQuery, variables: () => ({ ids: [...toValue(ids)] }), pause: () => toValue(pause) || toValue(ids).length === 0 });
  return {
    findings: computed(() => (query.data.value?.nodes ?? []).flatMap((node) => (node?.__typename === 'Finding' ? [node] : []))),
    loading: query.fetching,
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}

export function useProductEngagements(productId: MaybeRefOrGetter<string>, pageSize?: number) {
  return useConnection({
    query: ProductEngagementsQuery,
    variables: () => ({ productId: toValue(productId) }),
    connection: (data) => (data.node?.__typename === 'Product' ? data.node.engagements : null),
    pageSize,
  });
}

export function useEngagementTests(engagementId: MaybeRefOrGetter<string>, pageSize?: number) {
  return useConnection({
    query: EngagementTestsQuery,
    variables: () => ({ engagementId: toValue(engagementId) }),
    connection: (data) => (data.node?.__typename === 'Engagement' ? data.node.tests : null),
    pageSize,
  });
}

/** what each reimport into a test created, closed, reactivated */
export function useTestImports(testId: MaybeRefOrGetter<string>, pageSize?: number) {
  return useConnection({
    query: TestImportsQuery,
    variables: () => ({ testId: toValue(testId) }),
    connection: (data) => (data.node?.__typename === 'Test' ? data.node.imports : null),
    pageSize,
  });
}

export const useCreateProduct = () => useMutationAction(CreateProductMutation, { success: (data) => `Product ${data.createProduct?.product?.name ?? ''} created` });
export const useUpdateProduct = () => useMutationAction(UpdateProductMutation, { success: 'Product saved' });
export const useDeleteProduct = () => useMutationAction(DeleteProductMutation, { success: 'Product deleted' });
export const useCloseEngagement = () => useMutationAction(CloseEngagementMutation, { success: (data) => `Engagement ${data.closeEngagement?.engagement?.name ?? ''} closed` });
export const useReopenEngagement = () => useMutationAction(ReopenEngagementMutation, { success: (data) => `Engagement ${data.reopenEngagement?.engagement?.name ?? ''} reopened` });
export const useDeleteEngagement = () => useMutationAction(DeleteEngagementMutation, { success: 'Engagement deleted' });
export const useDeleteTest = () => useMutationAction(DeleteTestMutation, { success: 'Test deleted' });
