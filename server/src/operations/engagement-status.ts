// An engagement closes (DefectDojo's close_engagement: status Completed, no longer announced as
// upcoming or stale) by a user, or by the hourly sweep once it is engagementAutoCloseDays past its
// end (DefectDojo's engagement_auto_close, off by default); a user may reopen it. Each close
// records its event in the closing transaction.
import type { Prisma } from '@tributary/db';
import { recordEvent } from '../notifications/record-event.ts';

/** closes an open engagement; false when it was already closed (nothing written, nothing announced) */
export async function closeEngagement(tx: Prisma.TransactionClient, id: number, now = new Date()): Promise<boolean> {
  const closed = await tx.engagement.updateManyAndReturn({
    where: { id, status: 'IN_PROGRESS' }, data: { status: 'COMPLETED', closedAt: now },
    include: { product: { select: { name: true } } },
  });
  const e = closed[0];
  if (!e) return false;
  await recordEvent(tx, 'close_engagement', {
    productId: e.productId, title: `Engagement ${e.name} of ${e.product.name} closed`, description: e.description, path: `/products/${e.productId}`,
  });
  return true;
}

export async function reopenEngagement(tx: Prisma.TransactionClient, id: number): Promise<void> {
  await tx.engagement.update({ where: { id }, data: { status: 'IN_PROGRESS', closedAt: null } });
}

/**
 * The sweep's half: every open engagement more than the configured days past its end, closed in
 * one statement with its auto_close_engagement event; nothing when auto-close is off.
 */
export const AUTO_CLOSE_SQL = `
  WITH closed AS (
    UPDATE "Engagement" e SET status = 'COMPLETED', "closedAt" = $1::timestamptz, "updatedAt" = $1::timestamptz
      FROM "SystemSettings" s
     WHERE s.id = 1 AND s."engagementAutoClose" AND e.status = 'IN_PROGRESS'
       AND e."targetEnd" < $1::timestamptz - make_interval(days => s."engagementAutoCloseDays")
    RETURNING e.id, e."productId", e.name, e.description, e."targetEnd")
  INSERT INTO "NotificationEvent" (name, "productId", payload)
  SELECT 'auto_close_engagement', c."productId", json_build_object('engagementId', c.id,
    'title', 'Engagement ' || c.name || ' of ' || p.name || ' closed automatically (ended ' || to_char(c."targetEnd", 'YYYY-MM-DD') || ')',
    'description', c.description, 'path', '/products/' || c."productId")
    FROM closed c JOIN "Product" p ON p.id = c."productId"`;
