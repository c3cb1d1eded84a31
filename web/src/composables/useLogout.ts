import { gql, useMutation } from '@urql/vue';
import { endSession } from '../session';

const LogoutMutation = gql<{ logout: { ok: boolean } }>`
  mutation Logout { logout { ok } }
`;

export function useLogout() {
  const mutation = useMutation(LogoutMutation);

  async function logOut(): Promise<void> {
    const result = await mutation.executeMutation({});
    if (result.error) throw result.error;
    endSession();
  }

  return { logOut, busy: mutation.fetching };
}
