// The address a request came from, for the login throttle (auth/login-throttle.ts). Behind a reverse
// proxy every request's peer is the proxy: without this, the per-address limit (20 failures in 15
// minutes) counted the whole world as one address and locked everyone out together. Only proxies
// named in TRIBUTARY_TRUSTED_PROXIES are believed about X-Forwarded-For (proxy-addr walks it from
// the right and stops at the first address it does not trust), so a client cannot choose its own.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

const compiled = new Map<string, (address: string, hop: number) => boolean>();

/** `trusted`: proxy-addr's names (`loopback`, `uniquelocal`, `linklocal`), addresses and CIDRs */
export function clientAddress(req: IncomingMessage, trusted: readonly string[]): string {
  if (!req.socket.remoteAddress) return 'unknown';
  if (!trusted.length) return req.socket.remoteAddress;
  const key = trusted.join(',');
  let trust = compiled.get(key);
  if (!trust) compiled.set(key, (trust = proxyaddr.compile([...trusted])));
  return proxyaddr(req, trust);
}

