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

/** Vendor timestamps are ISO strings or absent; a malformed one is dropped rather than failing the page. */
export function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "CWE-79", "external/cwe/cwe-022", "89" → 79, 22, 89. */
export function parseCwe(value: unknown): number | null {
  const m = /(\d+)\s*$/.exec(String(value ?? ''));
  const n = m ? Number.parseInt(m[1]!, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}
