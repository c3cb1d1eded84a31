import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDelayMs } from '@tributary/server/auth/login-throttle.ts';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { codes, firstError } from '../support/graphql.ts';

let t: TestApp;
beforeAll(async () => { t = await startTestApp({ role: 'api' }); });
afterAll(async () => { await t?.stop(); });

const LOGIN = /* GraphQL */ `
  mutation($i: LoginInput!) {
    login(input: $i) { token user { email isSuperuser } }
  }`;

describe('login', () => {
  it('bootstraps the superuser from the environment and logs in with a session cookie', async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOGIN, variables: { i: ADMIN } }) });
    const body = await res.json();
    expect(body.data.login.user).toEqual({ email: ADMIN.email, isSuperuser: true });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tributary_session=trs_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1209600$/);
    const viewer = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0]! }, body: JSON.stringify({ query: '{ viewer { email } }' }) }).then((r) => r.json());
    expect(viewer.data.viewer.email).toBe(ADMIN.email);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const wrong = await t.gql(LOGIN, { i: { email: ADMIN.email, password: 'nope' } });
    const unknown = await t.gql(LOGIN, { i: { email: 'ghost@example.com', password: 'nope' } });
    expect(firstError(wrong).message).toBe('Invalid email or password.');
    expect(firstError(unknown)).toEqual(firstError(wrong));
  });

  it('slows down repeated failures for one email', async () => {
    expect([0, 1, 2, 3, 4, 5, 20].map(loginDelayMs)).toEqual([0, 0, 0, 250, 500, 1000, 8000]);
    const email = 'slow@example.com';
    for (let i = 0; i < 3; i++) await t.gql(LOGIN, { i: { email, password: 'x' } });
    const t0 = Date.now();
    await t.gql(LOGIN, { i: { email, password: 'x' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('logout revokes the session token', async () => {
    const token = await t.login();
    expect((await t.gql('{ viewer { email } }', {}, token)).data.viewer.email).toBe(ADMIN.email);
    expect((await t.gql('mutation { logout { ok } }', {}, token)).data.logout.ok).toBe(true);
    expect((await t.gql('{ viewer { email } }', {}, token)).data.viewer).toBeNull();
  });
});

describe('API tokens', () => {
  it('creates a bearer token stored only as a hash, usable until revoked', async () => {
    const session = await t.login();
    const r = await t.gql('mutation { createApiToken(input: { name: "ci" }) { token } }', {}, session);
    const token = r.data.createApiToken.token as string;
    expect(token).toMatch(/^trt_/);
    expect((await t.gql('{ products(first: 1) { totalCount } }', {}, token)).data.products.totalCount).toBe(0);
    const stored = await t.sql('SELECT "tokenHash" FROM "ApiToken"');
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenHash).not.toContain(token.slice(4));
    await t.gql('mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { ok } }', { i: { token } }, session);
    const after = await t.gql('{ products(first: 1) { totalCount } }', {}, token);
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects requests without credentials with UNAUTHENTICATED', async () => {
    const r = await t.gql('{ findings(first: 5) { totalCount } }');
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('health', () => {
  it('answers /healthz once migrated and ready', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
