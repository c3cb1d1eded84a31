// Signing out: ends the session server-side, then drops the client and its cache.
import { useMutation } from '@urql/vue';
import { LogoutMutation } from '../graphql/session';
import { endSession } from '../session';

export function useLogout() {
  const mutation = useMutation(LogoutMutation);

  async function logOut(): Promise<void> {
    const result = await mutation.executeMutation({});
    // a session the server already ended is as logged out as it gets
    const alreadyEnded = result.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
    if (result.error && !alreadyEnded) throw result.error;
    endSession();
  }

  return { logOut, busy: mutation.fetching };
}
