// Following a vendor's "next page" pointer safely: the token goes with every request, so a `next`
// that names another origin (a compromised or misconfigured proxy) must never be followed.
import type { GuardedHttp } from './http.ts';

/** Resolves `next` against the page it came from and refuses to leave the configured origin. */
export function sameOriginNext(http: GuardedHttp, next: string, currentUrl: string, configuredBase: string): string {
  const resolved = new URL(next, currentUrl);
  const origin = new URL(configuredBase).origin;
  if (resolved.origin !== origin) {
    http.fail(`${http.service}: the next-page link points at ${resolved.origin}, not ${origin}; refusing to send the token there`);
  }
  return resolved.toString();
}
