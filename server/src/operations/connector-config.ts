// A connector's configuration rules, for create and update, in one place: the kind and its options
// (connectors/validate.ts), the write-only secret (sealed here; validation needs to know only that
// one is stored, so it is never decrypted for it), a URL moved to another origin needs the token
// again, cron schedules (daily by default), and the other defaults.
import { connectorKinds, findKind } from '../connectors/registry.ts';
import { validateConnectorConfig } from '../connectors/validate.ts';
import type { Connector, Prisma, Severity } from '@tributary/db';
import type { Services } from '../services.ts';
import { cronProblem } from '../util/cron.ts';
import { InputError } from '../util/input-error.ts';

export interface ConnectorConfigInput {
  name?: string | null; url?: string | null; secret?: string | null; options?: unknown; autoMap?: boolean | null;
  minimumSeverity?: Severity | null; doNotReactivate?: boolean | null;
  discoverSchedule?: string | null; syncSchedule?: string | null; operationsRetained?: number | null;
}

// daily by default; sync an hour after discover so it sees the newly mapped records
const DEFAULT_SCHEDULES = { discoverSchedule: '0 2 * * *', syncSchedule: '0 3 * * *' } as const;
/** stands for "a secret is stored" in validation, which checks presence only */
const STORED_SECRET = 'stored';

function originOf(url: string): string | null {
  try { return new URL(url).origin; } catch { return null; }
}

/** Validated column values; `existing` for updates (fields left out keep their value). */
export function connectorColumns(services: Pick<Services, 'secrets' | 'config'>, kindId: string, input: ConnectorConfigInput, existing?: Connector): Prisma.ConnectorUncheckedCreateInput {
  const kind = findKind(kindId);
  if (!kind) throw new InputError('kind', `"${kindId}" is not a connector kind (${connectorKinds.map((k) => k.id).join(', ')})`);
  const url = (input.url ?? existing?.url ?? '').trim().replace(/\/+$/, '');
  const newSecret = input.secret != null && input.secret !== '' ? input.secret : null;
  const options = validateConnectorConfig(kind, {
    url,
    secret: newSecret ?? (existing?.secretCiphertext ? STORED_SECRET : null),
    options: input.options !== undefined ? input.options : (existing?.options ?? {}),
  }, services.config);
  // a stored token goes only to the origin it was entered for: pointing a connector at another
  // server (scheme, host or port) needs the token again, or a Maintainer could collect someone else's
  if (existing?.secretCiphertext && !newSecret && originOf(url) !== originOf(existing.url)) {
    throw new InputError('secret', `the URL now points at another server (${originOf(url) ?? 'none'} instead of ${originOf(existing.url) ?? 'none'}); enter the token again to send it there`);
  }
  const schedule = (field: keyof typeof DEFAULT_SCHEDULES) => {
    const value = input[field];
    if (value) { const problem = cronProblem(value); if (problem) throw new InputError(field, problem); }
    return value === undefined ? (existing ? existing[field] : DEFAULT_SCHEDULES[field]) : value?.trim() || null;
  };
  return {
    name: (input.name ?? existing?.name ?? '').trim(),
    kind: kind.id,
    url,
    secretCiphertext: newSecret ? services.secrets.seal(newSecret) : (existing?.secretCiphertext ?? null),
    options: options as Prisma.InputJsonValue,
    autoMap: input.autoMap ?? existing?.autoMap ?? false,
    minimumSeverity: input.minimumSeverity ?? existing?.minimumSeverity ?? 'INFO',
    doNotReactivate: input.doNotReactivate ?? existing?.doNotReactivate ?? false,
    discoverSchedule: schedule('discoverSchedule'),
    syncSchedule: schedule('syncSchedule'),
    operationsRetained: input.operationsRetained ?? existing?.operationsRetained ?? 200,
  };
}

/** a changed schedule starts counting from now */
export function scheduleResets(columns: Prisma.ConnectorUncheckedCreateInput, existing: Connector): Prisma.ConnectorUncheckedUpdateInput {
  return {
    ...(columns.discoverSchedule !== existing.discoverSchedule ? { nextDiscoverAt: null } : {}),
    ...(columns.syncSchedule !== existing.syncSchedule ? { nextSyncAt: null } : {}),
  };
}
