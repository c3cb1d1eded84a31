// Digests (no peer has them): a person who takes mail or Slack hourly or daily gets, when the period
// ends, one message with its events grouped by product, instead of one message per event. The held
// deliveries (digestAt set by dispatch.ts) are replaced by one new delivery, in one transaction, so
// each event is in exactly one digest. Runs in the worker's minute tick.
import type { Delivery, Prisma } from '@tributary/db';
import type { Services } from '../services.ts';
import { queueDelivery } from './deliver.ts';
import { MAX_MESSAGE_FINDINGS, type DeliveryPayload, type NotificationMessage } from './message.ts';


export async function sendDueDigests(services: Pick<Services, 'prisma' | 'config'>, now = new Date()): Promise<number> {
  return services.prisma.$transaction(async (tx) => {
    const due = await tx.$queryRaw<Delivery[]>`
      SELECT * FROM "Delivery" WHERE "digestAt" <= ${now} AND status = 'PENDING' ORDER BY id FOR UPDATE SKIP LOCKED`;
    const groups = new Map<string, Delivery[]>();
    for (const d of due) groups.set(`${d.userId}:${d.method}`, [...(groups.get(`${d.userId}:${d.method}`) ?? []), d]);
    for (const held of groups.values()) await sendOne(tx, services.config.publicUrl, held, now);
    return groups.size;
  });
}

async function sendOne(tx: Prisma.TransactionClient, publicUrl: string, held: Delivery[], now: Date): Promise<void> {
  const payloads = held.map((d) => d.payload as unknown as DeliveryPayload);
  const first = payloads[0]!;
  const payload: DeliveryPayload = { ...first, message: digestMessage(payloads.map((p) => p.message), publicUrl, now) };
  const digest = await tx.delivery.create({
    data: { event: 'other', method: held[0]!.method, userId: held[0]!.userId, payload: payload as unknown as Prisma.InputJsonValue },
  });
  await queueDelivery(tx, digest, digest.nextAttemptAt);
  await tx.delivery.updateMany({ where: { id: { in: held.map((d) => d.id) } }, data: { status: 'SENT', sentAt: now, lastError: `sent in digest delivery ${digest.id}` } });
}

/** one message: a line per event, grouped by product (events without one last), most recent last */
export function digestMessage(messages: NotificationMessage[], publicUrl: string, now: Date): NotificationMessage {
  const byProduct = new Map<string, NotificationMessage[]>();
  for (const m of messages) {
    const key = m.product?.name ?? 'Other';
    byProduct.set(key, [...(byProduct.get(key) ?? []), m]);
  }
  const sorted = [...byProduct].sort(([a], [b]) => (a === 'Other' ? 1 : b === 'Other' ? -1 : a.localeCompare(b)));
  const sections = sorted.map(([product, ms]) => `${product} (${ms.length}):\n${ms.map((m) => `- ${m.title}${m.url ? ` <${m.url}>` : ''}`).join('\n')}`);
  const products = sorted.map(([product]) => product).filter((k) => k !== 'Other');
  return {
    eventId: messages[messages.length - 1]!.eventId,
    event: 'other',
    title: `Tributary digest: ${messages.length} notification${messages.length === 1 ? '' : 's'}${products.length ? ` for ${products.slice(0, 3).join(', ')}${products.length > 3 ? ` and ${products.length - 3} more` : ''}` : ''}`,
    description: sections.join('\n\n'),
    url: publicUrl,
    product: null,
    findings: messages.flatMap((m) => m.findings).slice(0, MAX_MESSAGE_FINDINGS),
    occurredAt: now.toISOString(),
  };
}
