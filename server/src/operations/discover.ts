// Discover: list every VEP the tool has, then reconcile the connector's records in one transaction.
// The listing must complete: the kind throws on any error or truncated page, and then no record
// changes state (DESIGN.md).
import type { Connector, Operation } from '@tributary/db';
import type { Services } from '../services.ts';
import type { KindWithContext } from '../connectors/connection.ts';
import type { Vep } from '../connectors/kind.ts';
import { reconcileRecords, type ReconcileResult } from './record-state.ts';
import { emptyStats, type OperationStats } from './stats.ts';

const MAX_KEY = 500;

export async function runDiscover(services: Services, op: Operation, connector: Connector, { kind, ctx }: KindWithContext): Promise<OperationStats> {
  // a retry of a discover whose reconcile committed before its worker died: that run's outcome stands
  const reconciled = (op.stats as { reconciled?: ReconcileResult } | null)?.reconciled;
  if (reconciled) return { ...emptyStats(), recordsDiscovered: reconciled.recordsDiscovered, recordsNew: reconciled.recordsNew, recordsMissing: reconciled.recordsMissing };
  const veps = new Map<string, Vep>();
  for await (const vep of kind.discover(ctx)) {
    const key = String(vep.key ?? '').trim();
    if (!key || key.length > MAX_KEY) throw new Error(`${kind.label} returned a project without a usable key (${JSON.stringify(vep.name ?? '').slice(0, 100)})`);
    veps.set(key, { ...vep, key });
    if (veps.size % 1000 === 0) {
      await services.prisma.operation.update({ where: { id: op.id }, data: { progress: { recordsDiscovered: veps.size } } });
    }
  }
  const result = await reconcileRecords(services.pool, connector.id, connector.autoMap, [...veps.values()], new Date(), op.id);
  services.log.info({ connectorId: connector.id, operationId: op.id, discovered: result.recordsDiscovered, new: result.recordsNew, missing: result.recordsMissing, autoMapped: result.recordsAutoMapped }, 'discover reconciled');
  return { ...emptyStats(), recordsDiscovered: result.recordsDiscovered, recordsNew: result.recordsNew, recordsMissing: result.recordsMissing };
}
