// Connectors: their kinds, configuration (the secret is write-only), records, operations, and the
// manual Discover / Sync buttons. Managing them needs a superuser or a global Maintainer/Owner.
import type { Connector, Prisma } from '@tributary/db';
import { connectorKinds, findKind } from '../connectors/registry.ts';
import { kindContext, safeMessage } from '../connectors/connection.ts';
import { ConnectorInputError, validateConnectorConfig } from '../connectors/validate.ts';
import { cronProblem } from '../jobs/schedule.ts';
import { startOperation } from '../operations/enqueue.ts';
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';
import { SeverityEnum, badInput, decodeId, nameRules, notFound, rethrowConflict } from './common.ts';
import type { Context } from './context.ts';
import { OperationTypeEnum } from './operations.ts';
import { DeletePayload } from './products.ts';
import { RecordStateEnum } from './records.ts';

const KindFieldRef = builder.objectRef<{ name: string; label: string; type: string; required: boolean; secret: boolean; help?: string }>('ConnectorKindField').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: '"url", "secret", or a key of options' }),
    label: t.exposeString('label'),
    type: t.exposeString('type', { description: 'string | url | path | password | boolean' }),
    required: t.exposeBoolean('required'),
    secret: t.exposeBoolean('secret'),
    help: t.exposeString('help', { nullable: true }),
  }),
});

const ConnectorKindRef = builder.objectRef<(typeof connectorKinds)[number]>('ConnectorKind').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    label: t.exposeString('label'),
    fields: t.field({ type: [KindFieldRef], resolve: (k) => k.fields }),
    dedupeAlgorithm: t.string({ resolve: (k) => k.dedupe.algorithm }),
  }),
});

builder.queryField('connectorKinds', (t) =>
  t.field({ type: [ConnectorKindRef], authScopes: { loggedIn: true }, resolve: () => [...connectorKinds] }));

builder.prismaNode('Connector', {
  authScopes: canSee.connector,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleToGlobalRoles(ctx) }),
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    url: t.exposeString('url'),
    hasSecret: t.boolean({ select: { secretCiphertext: true }, description: 'the secret itself is never returned', resolve: (c) => c.secretCiphertext !== null }),
    options: t.expose('options', { type: 'JSON' }),
    autoMap: t.exposeBoolean('autoMap'),
    minimumSeverity: t.expose('minimumSeverity', { type: SeverityEnum }),
    doNotReactivate: t.exposeBoolean('doNotReactivate'),
    discoverSchedule: t.exposeString('discoverSchedule', { nullable: true, description: 'cron (UTC); null = manual only' }),
    syncSchedule: t.exposeString('syncSchedule', { nullable: true, description: 'cron (UTC); null = manual only' }),
    nextDiscoverAt: t.expose('nextDiscoverAt', { type: 'DateTime', nullable: true }),
    nextSyncAt: t.expose('nextSyncAt', { type: 'DateTime', nullable: true }),
    operationsRetained: t.exposeInt('operationsRetained'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    records: t.relatedConnection('records', {
      cursor: 'id',
      totalCount: true,
      args: { states: t.arg({ type: [RecordStateEnum] }) },
      query: (args) => ({ where: args.states?.length ? { state: { in: args.states } } : {}, orderBy: { id: 'asc' } }),
    }),
    operations: t.relatedConnection('operations', {
      cursor: 'id',
      totalCount: true,
      description: 'newest first',
      args: { type: t.arg({ type: OperationTypeEnum }) },
      query: (args) => ({ where: args.type ? { type: args.type } : {}, orderBy: { id: 'desc' } }),
    }),
  }),
});

builder.queryField('connectors', (t) =>
  t.prismaConnection({
    type: 'Connector',
    cursor: 'id',
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.connector.findMany({ ...query, where: connectorScope(ctx), orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.connector.count({ where: connectorScope(ctx) }),
  }));

function connectorScope(ctx: Context): Prisma.ConnectorWhereInput {
  return visibleToGlobalRoles({ viewer: requireViewer(ctx.viewer) });
}

const ConnectorPayload = builder.objectRef<{ connectorId: number }>('ConnectorPayload').implement({
  fields: (t) => ({
    connector: t.prismaField({ type: 'Connector', resolve: (query, p, _a, ctx) => ctx.prisma.connector.findUniqueOrThrow({ ...query, where: { id: p.connectorId } }) }),
  }),
});

const configFields = (f: any) => ({
  url: f.string({ validate: { maxLength: 2000 } }),
  secret: f.string({ description: 'the tool token; write-only', validate: { maxLength: 10_000 } }),
  options: f.field({ type: 'JSON' }),
  autoMap: f.boolean(),
  minimumSeverity: f.field({ type: SeverityEnum }),
  doNotReactivate: f.boolean(),
  discoverSchedule: f.string({ description: 'cron (UTC), or null to run only by hand', validate: { maxLength: 100 } }),
  syncSchedule: f.string({ description: 'cron (UTC), or null to run only by hand', validate: { maxLength: 100 } }),
  operationsRetained: f.int({ validate: { min: 1, max: 100_000 } }),
});

type ConfigInput = {
  name?: string | null; url?: string | null; secret?: string | null; options?: unknown; autoMap?: boolean | null;
  minimumSeverity?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO' | null; doNotReactivate?: boolean | null;
  discoverSchedule?: string | null; syncSchedule?: string | null; operationsRetained?: number | null;
};

function originOf(url: string): string | null {
  try { return new URL(url).origin; } catch { return null; }
}

/** Validates and turns input into column values; `existing` for updates (fields left out keep their value). */
function connectorData(ctx: Context, kindId: string, input: ConfigInput, existing?: Connector): Prisma.ConnectorUncheckedCreateInput {
  const kind = findKind(kindId);
  if (!kind) throw badInput(`kind: "${kindId}" is not a connector kind (${connectorKinds.map((k) => k.id).join(', ')})`, 'kind');
  const url = (input.url ?? existing?.url ?? '').trim().replace(/\/+$/, '');
  const secret = input.secret != null && input.secret !== '' ? input.secret : existing?.secretCiphertext ? ctx.secrets.open(existing.secretCiphertext) : null;
  let options: Record<string, unknown>;
  try {
    options = validateConnectorConfig(kind, { url, secret, options: input.options !== undefined ? input.options : (existing?.options ?? {}) }, ctx.config);
  } catch (e) {
    if (e instanceof ConnectorInputError) throw badInput(e.message, e.field);
    throw e;
  }
  // a stored token goes only to the origin it was entered for: pointing a connector at another
  // server (scheme, host or port) needs the token again, or a Maintainer could collect someone else's
  if (existing?.secretCiphertext && !input.secret && originOf(url) !== originOf(existing.url)) {
    throw badInput(`secret: the URL now points at another server (${originOf(url) ?? 'none'} instead of ${originOf(existing.url) ?? 'none'}); enter the token again to send it there`, 'secret');
  }
  for (const field of ['discoverSchedule', 'syncSchedule'] as const) {
    const value = input[field];
    if (value) { const problem = cronProblem(value); if (problem) throw badInput(`${field}: ${problem}`, field); }
  }
  // daily by default; sync an hour after discover so it sees the newly mapped records
  const schedule = (field: 'discoverSchedule' | 'syncSchedule', daily: string) =>
    input[field] === undefined ? (existing ? existing[field] : daily) : input[field]?.trim() || null;
  return {
    name: (input.name ?? existing?.name ?? '').trim(),
    kind: kind.id,
    url,
    secretCiphertext: input.secret != null && input.secret !== '' ? ctx.secrets.seal(input.secret) : (existing?.secretCiphertext ?? null),
    options: options as Prisma.InputJsonValue,
    autoMap: input.autoMap ?? existing?.autoMap ?? false,
    minimumSeverity: input.minimumSeverity ?? existing?.minimumSeverity ?? 'INFO',
    doNotReactivate: input.doNotReactivate ?? existing?.doNotReactivate ?? false,
    discoverSchedule: schedule('discoverSchedule', '0 2 * * *'),
    syncSchedule: schedule('syncSchedule', '0 3 * * *'),
    operationsRetained: input.operationsRetained ?? existing?.operationsRetained ?? 200,
  };
}

builder.mutationField('createConnector', (t) =>
  t.field({
    type: ConnectorPayload,
    authScopes: { globalManager: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateConnectorInput', {
          fields: (f) => ({ name: f.string({ required: true, validate: nameRules() }), kind: f.string({ required: true, validate: { maxLength: 100 } }), ...configFields(f) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const data = connectorData(ctx, input.kind, input as ConfigInput);
      try {
        const c = await ctx.prisma.connector.create({ data });
        return { connectorId: c.id };
      } catch (e) {
        rethrowConflict(e, 'name', `a connector named "${data.name}" already exists`);
      }
    },
  }));

builder.mutationField('updateConnector', (t) =>
  t.field({
    type: ConnectorPayload,
    description: 'Changes only the fields given. An omitted or empty secret keeps the stored one.',
    authScopes: { globalManager: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateConnectorInput', {
          fields: (f) => ({ id: f.id({ required: true }), name: f.string({ validate: nameRules() }), kind: f.string({ validate: { maxLength: 100 } }), ...configFields(f) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const existing = await requireConnector(ctx, String(input.id), 'id');
      if (input.kind != null && input.kind !== existing.kind) throw badInput(`kind: a connector's kind cannot change (it is ${existing.kind}); create a new connector`, 'kind');
      const data = connectorData(ctx, existing.kind, input as ConfigInput, existing);
      // a changed schedule starts counting from now
      const nextReset = {
        ...(data.discoverSchedule !== existing.discoverSchedule ? { nextDiscoverAt: null } : {}),
        ...(data.syncSchedule !== existing.syncSchedule ? { nextSyncAt: null } : {}),
      };
      try {
        await ctx.prisma.connector.update({ where: { id: existing.id }, data: { ...data, ...nextReset } });
      } catch (e) {
        rethrowConflict(e, 'name', `a connector named "${data.name}" already exists`);
      }
      return { connectorId: existing.id };
    },
  }));

builder.mutationField('deleteConnector', (t) =>
  t.field({
    type: DeletePayload,
    description: 'Removes the connector, its records and operations. Imported findings, tests and products stay.',
    authScopes: { globalManager: true },
    args: { input: t.arg({ required: true, type: builder.inputType('DeleteConnectorInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const c = await requireConnector(ctx, String(input.id), 'id');
      const { count } = await ctx.prisma.connector.deleteMany({ where: { id: c.id } });
      if (count === 0) throw notFound('id: the connector');
      return { deletedId: String(input.id) };
    },
  }));

builder.mutationField('testConnector', (t) =>
  t.field({
    type: builder.objectRef<{ ok: boolean; message: string }>('TestConnectorPayload').implement({
      fields: (f) => ({ ok: f.exposeBoolean('ok'), message: f.exposeString('message') }),
    }),
    description: 'One authenticated call to the tool; the message says what to fix when it fails.',
    authScopes: { globalManager: true },
    args: { input: t.arg({ required: true, type: builder.inputType('TestConnectorInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const c = await requireConnector(ctx, String(input.id), 'id');
      const { kind, ctx: kctx } = kindContext(c, ctx, AbortSignal.timeout(60_000));
      try {
        return { ok: true, message: await kind.testConnection(kctx) };
      } catch (e) {
        return { ok: false, message: safeMessage(e, kctx) };
      }
    },
  }));

const OperationPayload = builder.objectRef<{ operationId: number }>('OperationPayload').implement({
  fields: (t) => ({
    operation: t.prismaField({ type: 'Operation', resolve: (query, p, _a, ctx) => ctx.prisma.operation.findUniqueOrThrow({ ...query, where: { id: p.operationId } }) }),
  }),
});

for (const [name, type] of [['runDiscover', 'DISCOVER'], ['runSync', 'SYNC']] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: OperationPayload,
      description: `Queues a ${type.toLowerCase()} (returns the one already waiting, if any). Operations of one connector run one at a time.`,
      authScopes: { globalManager: true },
      args: {
        input: t.arg({
          required: true,
          type: builder.inputType(`${name[0]!.toUpperCase()}${name.slice(1)}Input`, { fields: (f) => ({ connectorId: f.id({ required: true }) }) }),
        }),
      },
      resolve: async (_root, { input }, ctx) => {
        const c = await requireConnector(ctx, String(input.connectorId), 'connectorId');
        const op = await startOperation(ctx.prisma, { connectorId: c.id, type, trigger: 'MANUAL', userId: requireViewer(ctx.viewer).id });
        return { operationId: op.id };
      },
    }));
}

async function requireConnector(ctx: Context, globalId: string, field: string): Promise<Connector> {
  requireViewer(ctx.viewer);
  const id = decodeId(globalId, 'Connector', field);
  const c = await ctx.prisma.connector.findUnique({ where: { id } });
  if (!c) throw notFound(`${field}: the connector`);
  return c;
}
