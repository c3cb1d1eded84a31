// What a person may do to a record (DESIGN.md "Record states"): map it to a product (→ GOOD, and
// finalized), ignore it, restore an ignored one (→ NEW), delete it (its findings stay). Discover's
// own transitions are record-state.ts's; STALE comes from database triggers.
import type { PrismaClient, Record as ConnectorRecord } from '@tributary/db';
import { InputError } from '../util/input-error.ts';

const mapped = () => ({ state: 'GOOD' as const, finalizedAt: new Date() });

export async function mapToProduct(prisma: PrismaClient, record: ConnectorRecord, productId: number): Promise<void> {
  await prisma.record.update({ where: { id: record.id }, data: { ...mapped(), productId } });
}

/** maps to a new product named `name`, created in the same transaction */
export async function mapToNewProduct(prisma: PrismaClient, record: ConnectorRecord, name: string): Promise<void> {
  try {
    await prisma.$transaction(async (tx) => {
      const product = await tx.product.create({ data: { name, description: `Created for ${record.name}` } });
      await tx.record.update({ where: { id: record.id }, data: { ...mapped(), productId: product.id } });
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'P2002') throw new InputError('productName', `a product named "${name}" already exists: map to it with productId`);
    throw e;
  }
}

/** IGNORED records are never synced, and discover never changes them back */
export async function ignore(prisma: PrismaClient, record: ConnectorRecord): Promise<void> {
  await prisma.record.update({ where: { id: record.id }, data: { state: 'IGNORED' } });
}

/** IGNORED → NEW (with auto-mapping on, the next discover maps it again) */
export async function restore(prisma: PrismaClient, record: ConnectorRecord): Promise<void> {
  if (record.state !== 'IGNORED') throw new InputError('recordId', `only an IGNORED record can be restored (this one is ${record.state})`);
  await prisma.record.update({ where: { id: record.id }, data: { state: 'NEW', productId: null } });
}

/** the record only: findings, tests, engagements and products stay; the next discover finds it again as NEW */
export async function remove(prisma: PrismaClient, recordId: number): Promise<number> {
  return (await prisma.record.deleteMany({ where: { id: recordId } })).count;
}
