import { ref } from 'vue';
import { gql, useMutation } from '@urql/vue';
import { startSession, type Viewer } from '../session';
import { errorMessage } from '../errorMessage';

const LoginMutation = gql<
  { login: { user: Viewer } },
  { email: string; password: string }
>`
  mutation Login($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) { user { id email name isSuperuser } }
  }
`;

export function useLogin() {
  const mutation = useMutation(LoginMutation);
  const error = ref<string | null>(null);

  /** Resolves true once signed in; on failure leaves the server's reason in `error`. */
  async function logIn(email: string, password: string): Promise<boolean> {
    error.value = null;
    const result = await mutation.executeMutation({ email, password });
    if (result.error || !result.data) {
      error.value = result.error ? errorMessage(result.error) : 'Login failed';
      return false;
    }
    startSession(result.data.login.user);
    return true;
  }

  return { logIn, error, busy: mutation.fetching };
}
