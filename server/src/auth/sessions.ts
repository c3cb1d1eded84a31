// Logging in, sessions and API tokens: resolving a bearer token or session cookie to a user.
import type { PrismaClient } from '@tributary/db';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX, SESSION_TTL_MS, hashToken, newToken } from './tokens.ts';

/** lastUsedAt / expiry are refreshed at most once a minute, so reads do not turn into writes */
const TOUCH_INTERVAL_MS = 60_000;

export async function userIdForToken(prisma: PrismaClient, token: string): Promise<number | null> {
  const now = new Date();
  const tokenHash = hashToken(token);
  if (token.startsWith(SESSION_PREFIX)) {
    const s = await prisma.session.findUnique({ where: { tokenHash } });
    if (!s || s.revokedAt || s.expiresAt <= now) return null;
    if (now.getTime() - s.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await prisma.session.update({ where: { id: s.id }, data: { lastUsedAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
    }
    return s.userId;
  }
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const t = await prisma.apiToken.findUnique({ where: { tokenHash } });
    if (!t || t.revokedAt) return null;
    if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await prisma.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: now } });
    }
    return t.userId;
  }
  return null;
}

// Failed logins per email slow further attempts: none for the first 3, then 0.25 s doubling to 8 s.
// Kept in PostgreSQL so every API process sees the same count; forgotten after 15 quiet minutes.
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 8_000;
const FORGET_AFTER_MS = 15 * 60_000;

export function loginDelayMs(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(250 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);
}

export class LoginFailed extends Error {
  constructor() { super('Invalid email or password.'); }
}

export async function login(prisma: PrismaClient, emailInput: string, password: string): Promise<{ token: string; userId: number }> {
  const email = emailInput.trim().toLowerCase();
  const throttle = await prisma.loginThrottle.findUnique({ where: { email } });
  const failures = throttle && Date.now() - throttle.lastFailureAt.getTime() < FORGET_AFTER_MS ? throttle.failures : 0;
  const delay = loginDelayMs(failures);
  if (delay) await new Promise((r) => setTimeout(r, delay));

  const user = await prisma.user.findUnique({ where: { email } });
  // an unknown email costs the same scrypt work as a wrong password: no timing hint
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || !user.isActive) {
    await prisma.loginThrottle.upsert({
      where: { email },
      create: { email, failures: 1, lastFailureAt: new Date() },
      update: { failures: failures + 1, lastFailureAt: new Date() },
    });
    throw new LoginFailed();
  }
  const { token, hash } = newToken(SESSION_PREFIX);
  await prisma.$transaction([
    prisma.loginThrottle.deleteMany({ where: { email } }),
    prisma.session.create({ data: { tokenHash: hash, userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS) } }),
    prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }),
  ]);
  return { token, userId: user.id };
}

export async function revokeToken(prisma: PrismaClient, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  const now = new Date();
  await prisma.session.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
  await prisma.apiToken.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
}

export async function createApiToken(prisma: PrismaClient, userId: number, name: string): Promise<{ token: string; id: number }> {
  const { token, hash } = newToken(API_TOKEN_PREFIX);
  const row = await prisma.apiToken.create({ data: { name, tokenHash: hash, userId } });
  return { token, id: row.id };
}
