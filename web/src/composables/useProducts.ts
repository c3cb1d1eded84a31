import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { gql, useQuery } from '@urql/vue';
import { errorMessage } from '../errorMessage';

export interface ProductRow {
  id: string;
  name: string;
  description: string | null;
  findings: { totalCount: number };
}

interface ProductsData {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: ProductRow[];
  };
}

const ProductsQuery = gql<ProductsData, { first: number; after: string | null }>`
  query Products($first: Int!, $after: String) {
    products(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name description findings(filter: { active: true }) { totalCount } }
    }
  }
`;

export function useProducts(first: number, after: MaybeRefOrGetter<string | null> = null) {
  const query = useQuery({
    query: ProductsQuery,
    variables: () => ({ first, after: toValue(after) }),
    // an empty page holds no Product, so without this a createProduct would not refresh it
    context: { additionalTypenames: ['Product'] },
  });
  return {
    products: computed(() => query.data.value?.products.nodes ?? []),
    totalCount: computed(() => query.data.value?.products.totalCount ?? 0),
    pageInfo: computed(() => query.data.value?.products.pageInfo),
    loaded: computed(() => query.data.value !== undefined),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}
