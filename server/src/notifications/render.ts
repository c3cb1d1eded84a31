// A NotificationEvent row → the message every channel sends (message.ts): a short title, a
// description, the dashboard link, the product, and for scan_added the findings of each outcome.
import type { NotificationEvent, Prisma, PrismaClient } from '@tributary/db';
import { isNotificationEvent } from '../events.ts';
import { MAX_MESSAGE_FINDINGS, type NotificationMessage } from './message.ts';

type FindingStatus = NotificationMessage['findings'][number]['status'];


type Payload = Record<string, unknown>;
type Db = PrismaClient | Prisma.TransactionClient;
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function renderEvent(prisma: Db, row: NotificationEvent, baseUrl: string): Promise<NotificationMessage> {
  const payload = (row.payload ?? {}) as Payload;
  const [product, connector] = await Promise.all([
    row.productId ? prisma.product.findUnique({ where: { id: row.productId }, select: { id: true, name: true } }) : null,
    row.connectorId ? prisma.connector.findUnique({ where: { id: row.connectorId }, select: { name: true } }) : null,
  ]);
  const source = connector?.name ?? 'A connector';
  const link = (path: string) => `${baseUrl.replace(/\/+$/, '')}${path}`;
  const event = isNotificationEvent(row.name) ? row.name : 'other';
  const base = { eventId: row.id, event, product, findings: [] as NotificationMessage['findings'], occurredAt: row.createdAt.toISOString() };
  const connectorLink = row.connectorId ? link(`/connectors/${row.connectorId}`) : null;
  switch (event) {
    case 'scan_added':
    case 'scan_added_empty': {
      const counts = { new: num(payload.new), closed: num(payload.closed), reactivated: num(payload.reactivated), untouched: num(payload.untouched) };
      const findings = event === 'scan_added' ? await importFindings(prisma, num(payload.testImportId)) : [];
      const changed = [counts.new && `${counts.new} new`, counts.closed && `${counts.closed} closed`, counts.reactivated && `${counts.reactivated} reopened`].filter(Boolean).join(', ');
      return {
        ...base, findings, counts,
        title: event === 'scan_added' ? `${source}: ${changed || 'findings updated'} in ${product?.name ?? 'a product'}` : `${source}: no changes in ${product?.name ?? 'a product'}`,
        description: `A sync of ${source} reimported ${product?.name ?? 'a product'}: ${plural(counts.new, 'new finding')}, ${counts.closed} closed, ${counts.reactivated} reopened, ${counts.untouched} unchanged.`,
        url: product ? link(`/products/${product.id}`) : connectorLink,
      };
    }
    case 'operation_failed':
      return {
        ...base,
        title: `${String(payload.type ?? 'An operation').toLowerCase().replace(/^\w/, (c) => c.toUpperCase())} of ${source} failed`,
        description: String(payload.error ?? 'The operation failed.').slice(0, 2000),
        url: connectorLink,
      };
    case 'record_new':
    case 'record_missing': {
      const names = Array.isArray(payload.names) ? payload.names.map(String) : [];
      const count = num(payload.count) || names.length;
      return {
        ...base,
        title: event === 'record_new' ? `${source}: ${plural(count, 'new project')}` : `${source}: ${plural(count, 'project')} missing`,
        description: `${event === 'record_new' ? 'Discovered' : 'Missing from the last complete discover'}: ${names.join(', ')}${count > names.length ? ` and ${count - names.length} more` : ''}.`,
        url: connectorLink,
      };
    }
    case 'record_stale':
      return {
        ...base,
        title: `${source}: ${String(payload.name ?? 'a record')} lost its product`,
        description: `The product, engagement or test that ${String(payload.name ?? 'the record')} was mapped to was deleted; map it again or ignore it.`,
        url: connectorLink,
      };
    default:
      return {
        ...base,
        // sla_breach_combined (sweeps.ts) names its findings
        findings: Array.isArray(payload.findingIds) ? await listedFindings(prisma, payload.findingIds.map(Number)) : [],
        title: String(payload.title ?? event.replace(/_/g, ' ')),
        description: String(payload.description ?? ''),
        url: typeof payload.path === 'string' ? link(payload.path) : product ? link(`/products/${product.id}`) : null,
      };
  }
}

/** the findings a test import created, closed and reopened */
async function importFindings(prisma: Db, testImportId: number): Promise<NotificationMessage['findings']> {
  const imp = testImportId ? await prisma.testImport.findUnique({ where: { id: testImportId } }) : null;
  if (!imp) return [];
  const status = new Map<number, FindingStatus>();
  for (const id of imp.newIds) status.set(id, 'new');
  for (const id of imp.closedIds) status.set(id, 'closed');
  for (const id of imp.reactivatedIds) status.set(id, 'reactivated');
  return findingsById(prisma, [...status.keys()], (id) => status.get(id)!);
}

/** findings named by an event (an SLA breach): "untouched", as no scan changed them */
function listedFindings(prisma: Db, ids: number[]): Promise<NotificationMessage['findings']> {
  return findingsById(prisma, ids, () => 'untouched');
}

/** up to MAX_MESSAGE_FINDINGS of them, most severe first (the Severity enum is declared CRITICAL first) */
async function findingsById(prisma: Db, ids: number[], statusOf: (id: number) => FindingStatus): Promise<NotificationMessage['findings']> {
  const rows = await prisma.finding.findMany({ where: { id: { in: ids } }, select: { id: true, title: true, severity: true }, orderBy: [{ severity: 'asc' }, { id: 'asc' }], take: MAX_MESSAGE_FINDINGS });
  return rows.map((f) => ({ ...f, status: statusOf(f.id) }));
}
