// The first superuser: created when the user table is empty, from TRIBUTARY_ADMIN_EMAIL/_PASSWORD or
// with a generated password printed once. An advisory lock makes concurrent starts create one.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@tributary/db';
import type { Config } from '../config.ts';
import { LOCKS } from '../locks.ts';
import { hashPassword } from './passwords.ts';

export async function bootstrapAdmin(prisma: PrismaClient, config: Config, print: (line: string) => void): Promise<void> {
  const email = (config.adminEmail ?? 'admin@localhost').trim().toLowerCase();
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const created = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCKS.bootstrapAdmin})`;
    if ((await tx.user.count()) > 0) return false;
    await tx.user.create({ data: { email, name: 'Administrator', passwordHash, isSuperuser: true } });
    return true;
  });
  if (!created) return;
  print(`Created the superuser ${email}${generated ? ` with the generated password: ${password}  (shown once; change it or set TRIBUTARY_ADMIN_PASSWORD)` : ''}`);
}
