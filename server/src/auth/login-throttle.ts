// The login throttle: failed logins counted per client address, per account and per (account, client)
// in PostgreSQL, so every API process sees the same counts. An attempt is counted atomically before
// its password is checked (and given back when it succeeds), so parallel guesses cannot share one count.
import { isIPv6 } from 'node:net';
import { Prisma, type PrismaClient } from '@tributary/db';

// Counts live in a fixed window from a key's first failure. Fixed, not "15 quiet minutes": a success
// also touches the client's row, and a busy office NAT would otherwise never forget old typos.
const WINDOW_S = 15 * 60;
// One address gets 20 failures per window, then is refused without a password check: a person
// mistypes a handful of times, so 20 leaves room for several unlucky people behind one NAT, while an
// attacker at one address gets at most 20 guesses per 15 minutes (~1,900 a day) over all accounts.
const CLIENT_LIMIT = 20;
// Per (account, client): the first 3 failures are free, then 0.25 s doubling to 8 s, so an owner's
// own typos cost little and one attacker's guesses slow down — without slowing the owner elsewhere.
const PAIR_FREE = 3;
// Per account over all addresses: the same 0.25 s → 8 s schedule from the 101st failure. At 20 per
// address that takes at least 5 addresses (IPv6: 5 /64s) in one window — a distributed attack, not an
// owner's devices — and it then slows everyone, the owner too, but never locks the account.
const ACCOUNT_FREE = 100;
const MAX_DELAY_MS = 8_000;

/** The delay before checking a password, from the (account, client) failures counted before it. */
export function loginDelayMs(priorFailures: number): number {
  return backoffMs(priorFailures - PAIR_FREE);
}

/** The account-wide delay, from the failures counted for the account from all addresses before it. */
export function accountDelayMs(priorFailures: number): number {
  return backoffMs(priorFailures - ACCOUNT_FREE);
}

function backoffMs(overFree: number): number {
  return overFree < 0 ? 0 : Math.min(250 * 2 ** overFree, MAX_DELAY_MS);
}

export class LoginThrottled extends Error {
  readonly retryAt: Date;
  constructor(retryAt: Date) {
    const minutes = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 60_000));
    super(`Too many failed logins from your address: try again in ${minutes} minute${minutes === 1 ? '' : 's'} (after ${retryAt.toISOString()}).`);
    this.retryAt = retryAt;
  }
}

/** The address failures are counted for: IPv4 as is (also IPv4-mapped), IPv6 by its /64, because a
 *  host or household is routinely given a whole /64 and can send from any address in it. */
export function clientKey(address: string): string {
  const a = address.toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!isIPv6(a)) return a;
  const [head, tail] = a.split('::');
  // an embedded IPv4 (last 32 bits) is two groups; only the first four groups are kept anyway
  const groups = (s?: string) => (s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head), t = groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

// UTC like every DateTime Prisma writes; WINDOW_S is a constant, never input
const NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
const EXPIRED = Prisma.sql`t."windowStart" <= ${NOW} - ${Prisma.raw(`interval '${WINDOW_S} seconds'`)}`;
const COUNT_ONE_MORE = Prisma.sql`ON CONFLICT (scope, email, "clientAddress") DO UPDATE SET
  failures = CASE WHEN ${EXPIRED} THEN 1 ELSE t.failures + 1 END,
  "windowStart" = CASE WHEN ${EXPIRED} THEN ${NOW} ELSE t."windowStart" END`;

/**
 * Counts this attempt as a failure before its password is checked and answers how long to wait
 * first; throws LoginThrottled (counting nothing) when the client is over its limit. Depends only on
 * the email string, never on whether the user exists, so it gives no hint of that.
 */
export async function reserveLoginAttempt(prisma: PrismaClient, email: string, clientAddress: string): Promise<number> {
  const client = clientKey(clientAddress);
  // expired rows mean the same as no row: dropping them here keeps a sprayed table from growing
  await prisma.$executeRaw`DELETE FROM "LoginThrottle" t WHERE ${EXPIRED}`;
  // the limit check and the count are one statement, so parallel attempts cannot all pass at 19
  const admitted = await prisma.$queryRaw<unknown[]>`
    INSERT INTO "LoginThrottle" AS t (scope, email, "clientAddress", failures, "windowStart")
    VALUES ('client', '', ${client}, 1, ${NOW})
    ${COUNT_ONE_MORE}
    WHERE t.failures < ${CLIENT_LIMIT} OR ${EXPIRED}
    RETURNING failures`;
  if (!admitted.length) {
    const [row] = await prisma.$queryRaw<Array<{ until: Date }>>`
      SELECT "windowStart" + ${Prisma.raw(`interval '${WINDOW_S} seconds'`)} AS until
      FROM "LoginThrottle" WHERE scope = 'client' AND email = '' AND "clientAddress" = ${client}`;
    throw new LoginThrottled(row?.until ?? new Date());
  }
  const counted = await prisma.$queryRaw<Array<{ scope: string; failures: number }>>`
    INSERT INTO "LoginThrottle" AS t (scope, email, "clientAddress", failures, "windowStart")
    VALUES ('pair', ${email}, ${client}, 1, ${NOW}), ('account', ${email}, '', 1, ${NOW})
    ${COUNT_ONE_MORE}
    RETURNING scope, failures`;
  const prior = (scope: string) => counted.find((r) => r.scope === scope)!.failures - 1;
  return Math.max(loginDelayMs(prior('pair')), accountDelayMs(prior('account')));
}

/** For a successful login's transaction: clears the (account, client) count and gives back the
 *  attempt counted for the client and the account (their other failures stay: an attacker must not
 *  be able to reset them by logging in to an account of their own). */
export function releaseLoginAttempt(prisma: PrismaClient, email: string, clientAddress: string): Prisma.PrismaPromise<number>[] {
  const client = clientKey(clientAddress);
  return [
    prisma.$executeRaw`DELETE FROM "LoginThrottle" WHERE scope = 'pair' AND email = ${email} AND "clientAddress" = ${client}`,
    prisma.$executeRaw`UPDATE "LoginThrottle" SET failures = failures - 1
      WHERE failures > 0 AND (scope, email, "clientAddress") IN (('client', '', ${client}), ('account', ${email}, ''))`,
  ];
}
