// One mutation as a user action: busy while it runs, the server's message when it fails (and, for
// a bad input, the fields it names, for FormField to show beside them), a success message when it
// worked. Pages and forms use this rather than useMutation directly, so every action reads alike.
import { computed, ref } from 'vue';
import { useMutation, type AnyVariables, type TypedDocumentNode } from '@urql/vue';
import { describeError, type OperationError } from '../errorMessage';

export interface MutationActionOptions<Data> {
  /** said after it worked, e.g. "Connector saved" */
  success?: string | ((data: Data) => string | null);
}

export function useMutationAction<Data, Vars extends AnyVariables>(document: TypedDocumentNode<Data, Vars>, options: MutationActionOptions<Data> = {}) {
  const mutation = useMutation<Data, Vars>(document);
  const failure = ref<OperationError | null>(null);
  const success = ref<string | null>(null);

  /** Resolves to the result's data, or null when it failed (the reason is then in `error`). */
  async function run(variables: Vars): Promise<Data | null> {
    failure.value = null;
    success.value = null;
    const result = await mutation.executeMutation(variables);
    if (result.error || !result.data) {
      failure.value = result.error
        ? describeError(result.error)
        : { message: 'The server answered nothing', code: null, fields: [] };
      return null;
    }
    const said = typeof options.success === 'function' ? options.success(result.data) : options.success;
    success.value = said ?? null;
    return result.data;
  }

  function reset(): void {
    failure.value = null;
    success.value = null;
  }

  return {
    run,
    reset,
    busy: mutation.fetching,
    error: computed(() => failure.value?.message ?? null),
    errorCode: computed(() => failure.value?.code ?? null),
    /** the message for one input field ("name", "options.path"), when the server named it */
    fieldError: (field: string) => (failure.value?.fields.includes(field) ? failure.value.message : null),
    success: computed(() => success.value),
  };
}
