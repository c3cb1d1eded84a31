// The login throttle through the real app: parallel guesses wait their turn, a client that keeps failing
// is refused, and an attacker's failures do not slow the owner at another address. Each test logs in
// from its own loopback address (all of 127.0.0.0/8 reaches the server), so the server sees distinct clients.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey, loginDelayMs } from '@tributary/server/auth/login-throttle.ts';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { LOGIN } from '../support/documents.ts';
import { codes, firstError, type GqlResult } from '../support/graphql.ts';

let t: TestApp;
beforeAll(async () => { t = await startTestApp({ role: 'api' }); });
afterAll(async () => { await t?.stop(); });

type LoginResult = GqlResult<{ login: { token: string } }>;

/** One login over a fresh connection from `from` (to `app`, this file's by default), and how long its answer took. */
function loginFrom(from: string, email: string, password: string, headers: Record<string, string> = {}, app: TestApp = t): Promise<{ ms: number; body: LoginResult }> {
  const url = new URL('/graphql', app.url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ ms: performance.now() - t0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query: LOGIN, variables: { i: { email, password } } }));
  });
}

describe('login throttle', () => {
  it('makes parallel wrong passwords for one account wait as if they came one after another', async () => {
    // the security probe's 20: delays 0, 0, 0, 0.25, 0.5, 1, 2, 4 s, then 8 s for the last 12. Fewer
    // would be quicker, but without the throttle 8 parallel scrypts at load 7 answered in up to 3 s
    // here, close to the 4 s that 8 would prove; with 20 at load 10 the 9th answer came at 6 s, not 8.
    const answers = await Promise.all(Array.from({ length: 20 }, () => loginFrom('127.0.0.2', ADMIN.email, 'wrong')));
    expect(answers.map((a) => firstError(a.body).message)).toEqual(Array(20).fill('Invalid email or password.'));
    // each attempt got its own count, so the i-th fastest answer waited at least the i-th delay;
    // only lower bounds, so a slow machine cannot fail it
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    ms.forEach((m, i) => expect(m).toBeGreaterThanOrEqual(loginDelayMs(i)));
    // and, independent of timing noise, none was lost (reading then writing the count kept only a few)
    expect(await t.sql(`SELECT failures FROM "LoginThrottle" WHERE scope = 'pair' AND email = $1`, [ADMIN.email])).toEqual([{ failures: 20 }]);
  });

  it('refuses a client after 20 failures without checking the password, and says when to retry', async () => {
    // a spray over 25 accounts at once: the limit is checked and counted in one statement
    const spray = await Promise.all(Array.from({ length: 25 }, (_, i) => loginFrom('127.0.0.3', `spray${i}@example.com`, 'guess')));
    const answered = spray.flatMap((a) => codes(a.body));
    expect(answered.filter((c) => c === 'BAD_USER_INPUT')).toHaveLength(20);
    expect(answered.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(5);

    const refused = await loginFrom('127.0.0.3', ADMIN.email, ADMIN.password);
    const error = refused.body.errors![0]!;
    expect(refused.body.data?.login ?? null).toBeNull();
    expect(error.extensions!.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toMatch(/^Too many failed logins from your address: try again in 1[45] minutes \(after \S+Z\)\.$/);
    const retryIn = Date.parse(error.extensions!.retryAfter!) - Date.now();
    expect(retryIn).toBeGreaterThan(14 * 60_000);
    expect(retryIn).toBeLessThanOrEqual(15 * 60_000);

    // the limit is the client's, not everyone's
    expect((await loginFrom('127.0.0.4', ADMIN.email, ADMIN.password)).body.data?.login.token).toMatch(/^trs_/);
  });

  it("does not slow the owner at another address for an attacker's failures", async () => {
    const victim = 'victim@example.com';
    await t.sql(`INSERT INTO "User" (email, name, "passwordHash") SELECT $1, 'Victim', "passwordHash" FROM "User" WHERE email = $2`, [victim, ADMIN.email]);
    // one after another: 0 + 0 + 0 + 0.25 + 0.5 + 1 s; the 7th attempt from here would wait 2 s
    for (let i = 0; i < 6; i++) await loginFrom('127.0.0.5', victim, 'wrong');

    const owner = await loginFrom('127.0.0.6', victim, ADMIN.password);
    expect(owner.body.data?.login.token).toMatch(/^trs_/);
    // counted per email the owner would wait the attacker's 2 s before the scrypt; without that wait it
    // is one scrypt (45 ms idle, 250 ms with this 2-core machine at load 7) and a few queries
    expect(owner.ms).toBeLessThan(loginDelayMs(6));

    // and the owner's success did not reset the attacker's count
    expect((await loginFrom('127.0.0.5', victim, 'wrong')).ms).toBeGreaterThanOrEqual(loginDelayMs(6));
  });

  it('slows every address once an account has 100 failures in the window, for unknown emails alike', async () => {
    // 100 failures from 5+ addresses, written directly rather than spending seconds of scrypt on them
    await t.sql(`INSERT INTO "LoginThrottle" (scope, email, "clientAddress", failures, "windowStart")
      VALUES ('account', 'nobody@example.com', '', 100, now() AT TIME ZONE 'UTC')`);
    const fresh = await loginFrom('127.0.0.7', 'nobody@example.com', 'guess');
    expect(firstError(fresh.body).message).toBe('Invalid email or password.');
    expect(fresh.ms).toBeGreaterThanOrEqual(250);
  });

  it('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee%eth0'));
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('behind a reverse proxy', () => {
  // 127.0.0.10 is the proxy (TRIBUTARY_TRUSTED_PROXIES); 127.0.0.11 is a client claiming to be others
  let proxied: TestApp;
  beforeAll(async () => { proxied = await startTestApp({ role: 'api', env: { TRIBUTARY_TRUSTED_PROXIES: '127.0.0.10' } }); });
  afterAll(async () => { await proxied?.stop(); });
  const spray = (from: string, forwardedFor: (i: number) => string, tag: string) =>
    Promise.all(Array.from({ length: 21 }, (_, i) => loginFrom(from, `${tag}${i}@example.com`, 'guess', { 'x-forwarded-for': forwardedFor(i) }, proxied)));

  it("counts failures per client named by a trusted proxy's X-Forwarded-For, not per proxy", async () => {
    const attacker = (await spray('127.0.0.10', () => '198.51.100.7, 203.0.113.5', 'a')).flatMap((a) => codes(a.body));
    expect(attacker.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(1);
    // the owner behind the same proxy signs in
    const owner = await loginFrom('127.0.0.10', ADMIN.email, ADMIN.password, { 'x-forwarded-for': '203.0.113.6' }, proxied);
    expect(owner.body.data?.login.token).toMatch(/^trs_/);
  });

  it('ignores X-Forwarded-For from anyone else, so a client cannot pick a fresh address per guess', async () => {
    const answers = (await spray('127.0.0.11', (i) => `203.0.113.${100 + i}`, 's')).flatMap((a) => codes(a.body));
    expect(answers.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(1);
  });

  it('refuses a TRIBUTARY_TRUSTED_PROXIES entry it cannot read, naming it', async () => {
    const { loadConfig } = await import('@tributary/server/config.ts');
    expect(() => loadConfig({ TRIBUTARY_TRUSTED_PROXIES: 'loopback, 10.0.0.0/33' }, [])).toThrow(/TRIBUTARY_TRUSTED_PROXIES: "10.0.0.0\/33" is not an address/);
  });
});
