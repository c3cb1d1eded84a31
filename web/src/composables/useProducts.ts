// Products and their engagements, tests and import history.
import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@urql/vue';
import {
  CreateProductMutation, DeleteEngagementMutation, DeleteProductMutation, DeleteTestMutation, EngagementTestsQuery,
  ProductEngagementsQuery, ProductQuery, ProductsQuery, TestImportsQuery, UpdateProductMutation,
} from '../graphql/products';
import type { ResultOf } from '../graphql/tada';
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
  const query = useQuery({ query: ProductQuery, variables: () => ({ id: toValue(id) }) });
  return {
    product: computed(() => (query.data.value?.node?.__typename === 'Product' ? query.data.value.node : null)),
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
export const useDeleteEngagement = () => useMutationAction(DeleteEngagementMutation, { success: 'Engagement deleted' });
export const useDeleteTest = () => useMutationAction(DeleteTestMutation, { success: 'Test deleted' });
