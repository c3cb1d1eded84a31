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
    edges: Array<{ node: ProductRow }>;
  };
}

const ProductsQuery = gql<ProductsData, { first: number; after: string | null }>`
  query Products($first: Int!, $after: String) {
    products(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description findings(filter: { active: true }) { totalCount } } }
    }
  }
`;

export function useProducts(first: number, after: MaybeRefOrGetter<string | null> = null) {
  const query = useQuery({
    query: ProductsQuery,
    variables: () => ({ first, after: toValue(after) }),
    // workers change finding counts behind the client's back: show the cached page, then refresh it
    requestPolicy: 'cache-and-network',
    // an empty page holds no Product, so without this a createProduct would not refresh it
    context: { additionalTypenames: ['Product'] },
  });
  return {
    products: computed(() => query.data.value?.products.edges.map((edge) => edge.node) ?? []),
    totalCount: computed(() => query.data.value?.products.totalCount ?? 0),
    pageInfo: computed(() => query.data.value?.products.pageInfo),
    loaded: computed(() => query.data.value !== undefined),
    error: computed(() => (query.error.value ? errorMessage(query.error.value) : null)),
  };
}
