import { ref } from 'vue';
import { gql, useMutation } from '@urql/vue';
import { errorMessage } from '../errorMessage';

const CreateProductMutation = gql<
  { createProduct: { product: { id: string; name: string } } },
  { name: string; description: string }
>`
  mutation CreateProduct($name: String!, $description: String!) {
    createProduct(input: { name: $name, description: $description }) { product { id name } }
  }
`;

export function useCreateProduct() {
  const mutation = useMutation(CreateProductMutation);
  const error = ref<string | null>(null);

  /** Resolves true once created; on failure leaves the server's reason in `error`. */
  async function createProduct(name: string, description: string): Promise<boolean> {
    error.value = null;
    const result = await mutation.executeMutation({ name, description });
    if (result.error) error.value = errorMessage(result.error);
    return !result.error;
  }

  return { createProduct, error, busy: mutation.fetching };
}
