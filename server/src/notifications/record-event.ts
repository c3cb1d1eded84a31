// Writing an event into the outbox, inside the caller's transaction: it is dispatched only if that
// transaction commits (a trigger queues the dispatch job). Events with a page of their own carry its
// path; render.ts turns `title`, `description` and `path` into the message.
import type { Prisma, PrismaClient } from '@tributary/db';
import type { NotificationEventName } from '../events.ts';

export interface EventFields {
  productId?: number | null;
  connectorId?: number | null;
  title: string;
  description?: string;
  /** the dashboard path the message links to, e.g. /products/3 */
  path?: string;
  /** user_mentioned, review_requested: the only recipients */
  userIds?: number[];
  /** findings the message lists (with their severities) */
  findingIds?: number[];
}

export async function recordEvent(db: Prisma.TransactionClient | PrismaClient, name: NotificationEventName, fields: EventFields): Promise<void> {
  const { productId = null, connectorId = null, ...payload } = fields;
  await db.notificationEvent.create({ data: { name, productId, connectorId, payload: payload as Prisma.InputJsonObject } });
}
