// Connectors: their kinds, configuration (the secret is write-only), records, operations, and the
// manual Discover / Sync buttons. Managing them needs a superuser or a global Maintainer/Owner.
import type { OperationType } from '@tributary/db';
import { requireViewer } from '../auth/viewer.ts';
import { kindContext, safeMessage } from '../connectors/connection.ts';
import { connectorKinds } from '../connectors/registry.ts';
import { connectorColumns, scheduleResets } from '../operations/connector-config.ts';
import { startOperation } from '../operations/enqueue.ts';
import { requireConnector } from './access.ts';
import { builder, type InputFieldBuilder } from './builder.ts';
import { nameRules, rethrowConflict } from './common.ts';
import { OperationTypeEnum, RecordStateEnum, SeverityEnum } from './enums.ts';
import { badInput } from './errors.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee, visibleToGlobalRoles } from './visibility.ts';

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
    resolve: (query, _root, _args, ctx) => ctx.prisma.connector.findMany({ ...query, where: visibleToGlobalRoles(ctx), orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.connector.count({ where: visibleToGlobalRoles(ctx) }),
  }));

const ConnectorPayload = objectPayload('ConnectorPayload', 'connector', 'Connector');

/** the configuration fields createConnector and updateConnector share (rules: operations/connector-config.ts) */
function configFields(f: InputFieldBuilder) {
  return {
    url: f.string({ validate: { maxLength: 2000 } }),
    secret: f.string({ description: 'the tool token; write-only', validate: { maxLength: 10_000 } }),
    options: f.field({ type: 'JSON' }),
    autoMap: f.boolean(),
    minimumSeverity: f.field({ type: SeverityEnum }),
    doNotReactivate: f.boolean(),
    discoverSchedule: f.string({ description: 'cron (UTC), or null to run only by hand', validate: { maxLength: 100 } }),
    syncSchedule: f.string({ description: 'cron (UTC), or null to run only by hand', validate: { maxLength: 100 } }),
    operationsRetained: f.int({ validate: { min: 1, max: 100_000 } }),
  };
}

inputMutation('createConnector', {
  payload: ConnectorPayload,
  authScopes: { globalManager: true },
  inputName: 'CreateConnectorInput',
  fields: (f) => ({ name: f.string({ required: true, validate: nameRules() }), kind: f.string({ required: true, validate: { maxLength: 100 } }), ...configFields(f) }),
  resolve: async (input, ctx) => {
    const data = connectorColumns(ctx, input.kind, input);
    try {
      const c = await ctx.prisma.connector.create({ data });
      return { id: c.id };
    } catch (e) {
      rethrowConflict(e, 'name', `a connector named "${data.name}" already exists`);
    }
  },
});

inputMutation('updateConnector', {
  payload: ConnectorPayload,
  description: 'Changes only the fields given. An omitted or empty secret keeps the stored one.',
  authScopes: { globalManager: true },
  inputName: 'UpdateConnectorInput',
  fields: (f) => ({ id: f.id({ required: true }), name: f.string({ validate: nameRules() }), kind: f.string({ validate: { maxLength: 100 } }), ...configFields(f) }),
  resolve: async (input, ctx) => {
    const existing = await requireConnector(ctx, input.id);
    if (input.kind != null && input.kind !== existing.kind) throw badInput(`kind: a connector's kind cannot change (it is ${existing.kind}); create a new connector`, 'kind');
    const data = connectorColumns(ctx, existing.kind, input, existing);
    try {
      await ctx.prisma.connector.update({ where: { id: existing.id }, data: { ...data, ...scheduleResets(data, existing) } });
    } catch (e) {
      rethrowConflict(e, 'name', `a connector named "${data.name}" already exists`);
    }
    return { id: existing.id };
  },
});

deleteMutation('Connector', {
  description: 'Removes the connector, its records and operations. Imported findings, tests and products stay.',
  authScopes: { globalManager: true },
  check: async (ctx, globalId, field) => (await requireConnector(ctx, globalId, field)).id,
  remove: async (ctx, id) => (await ctx.prisma.connector.deleteMany({ where: { id } })).count,
});

builder.mutationField('testConnector', (t) =>
  t.field({
    type: builder.objectRef<{ ok: boolean; message: string }>('TestConnectorPayload').implement({
      fields: (f) => ({ ok: f.exposeBoolean('ok'), message: f.exposeString('message') }),
    }),
    description: 'One authenticated call to the tool; the message says what to fix when it fails.',
    authScopes: { globalManager: true },
    args: { input: t.arg({ required: true, type: builder.inputType('TestConnectorInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => {
      const c = await requireConnector(ctx, input.id);
      const { kind, ctx: kctx } = kindContext(c, ctx, AbortSignal.timeout(60_000));
      try {
        return { ok: true, message: await kind.testConnection(kctx) };
      } catch (e) {
        return { ok: false, message: safeMessage(e, kctx) };
      }
    },
  }));

const OperationPayload = objectPayload('OperationPayload', 'operation', 'Operation');

/** `runDiscover` / `runSync`: queue one now (or return the one already waiting) */
function runOperationMutation(name: string, inputName: string, type: OperationType) {
  inputMutation(name, {
    payload: OperationPayload,
    description: `Queues a ${type.toLowerCase()} (returns the one already waiting, if any). Operations of one connector run one at a time.`,
    authScopes: { globalManager: true },
    inputName,
    fields: (f) => ({ connectorId: f.id({ required: true }) }),
    resolve: async (input, ctx) => {
      const c = await requireConnector(ctx, input.connectorId, 'connectorId');
      const op = await startOperation(ctx.prisma, { connectorId: c.id, type, trigger: 'MANUAL', userId: requireViewer(ctx.viewer).id });
      return { id: op.id };
    },
  });
}

runOperationMutation('runDiscover', 'RunDiscoverInput', 'DISCOVER');
runOperationMutation('runSync', 'RunSyncInput', 'SYNC');
