// Signing in: the server sets the httpOnly session cookie; the client is swapped for a fresh one.
import { LoginMutation } from '../graphql/session';
import { startSession } from '../session';
import { useMutationAction } from './useMutationAction';

export function useLogin() {
  const action = useMutationAction(LoginMutation);

  /** Resolves true once signed in; on failure leaves the server's reason in `error`. */
  async function logIn(email: string, password: string): Promise<boolean> {
    const data = await action.run({ input: { email, password } });
    const user = data?.login?.user;
    if (!user) return false;
    startSession(user);
    return true;
  }

  return { logIn, error: action.error, busy: action.busy };
}
