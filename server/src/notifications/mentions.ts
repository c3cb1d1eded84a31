// @mentions in a note's text: `@alice@example.com` (an email) or `@alice` (the part before the @ of
// exactly one user's email). Mentioned users get user_mentioned — if they may see the finding.
import type { Prisma, PrismaClient } from '@tributary/db';

const MENTION = /(?:^|[^\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g;
/** mentions beyond this in one note are ignored (a pasted list is not a call for 500 people) */
const MAX_MENTIONS = 20;

export async function mentionedUserIds(prisma: PrismaClient | Prisma.TransactionClient, text: string): Promise<number[]> {
  const handles = [...new Set([...text.matchAll(MENTION)].map((m) => m[1]!.replace(/\.+$/, '').toLowerCase()))].slice(0, MAX_MENTIONS);
  if (!handles.length) return [];
  const emails = handles.filter((h) => h.includes('@'));
  const locals = handles.filter((h) => !h.includes('@'));
  const users = await prisma.user.findMany({
    where: { isActive: true, OR: [{ email: { in: emails } }, ...locals.map((l) => ({ email: { startsWith: `${l}@`, mode: 'insensitive' as const } }))] },
    select: { id: true, email: true },
  });
  const ids = new Set(users.filter((u) => emails.includes(u.email.toLowerCase())).map((u) => u.id));
  for (const local of locals) {
    const matches = users.filter((u) => u.email.toLowerCase().startsWith(`${local}@`));
    if (matches.length === 1) ids.add(matches[0]!.id);
  }
  return [...ids];
}
