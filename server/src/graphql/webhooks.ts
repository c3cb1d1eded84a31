// Webhooks: the endpoints WEBHOOKS notifications are POSTed to, with their health state
// (notifications/webhook-status.ts). Superusers only, as DefectDojo's /api/v2/notification_webhooks/.
// The auth header's value is write-only (`hasHeaderValue`); an endpoint must answer a ping before it
// is saved, and again when where or what it is sent changes.
import type { Prisma, Webhook } from '@tributary/db';
import { pingWebhook, testWebhookEndpoint } from '../notifications/channels/webhook.ts';
import { wakeWebhook } from '../notifications/deliver.ts';
import { URL_MAX, webhookColumns } from '../notifications/webhook-config.ts';
import { WebhookStatusEnum } from './enums.ts';
import { builder } from './builder.ts';
import { nameRules, rethrowConflict } from './common.ts';
import type { Context } from './context.ts';
import { badInput, notFound } from './errors.ts';
import { decodeId } from './global-id.ts';
import { deleteMutation, inputMutation, objectPayload } from './payloads.ts';
import { canSee } from './visibility.ts';

// Kept beside its only type rather than in enums.ts, which the notifications work is editing.

/** the mutation's authScopes already required a superuser */
export async function requireWebhook(ctx: Context, globalId: string | number, field = 'id'): Promise<Webhook> {
  const w = await ctx.prisma.webhook.findUnique({ where: { id: decodeId(String(globalId), 'Webhook', field) } });
  if (!w) throw notFound(`${field}: the webhook`);
  return w;
}

/** lists and node(id:): what a non-superuser may not see is simply not found */
const visibleWebhooks = (ctx: Pick<Context, 'viewer'>): Prisma.WebhookWhereInput => (ctx.viewer?.isSuperuser ? {} : { id: -1 });

builder.prismaNode('Webhook', {
  authScopes: canSee.webhook,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: ctx.viewer?.isSuperuser ? Number(id) : -1 }),
  fields: (t) => ({
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    status: t.expose('status', { type: WebhookStatusEnum, description: 'ACTIVE and ACTIVE_TMP receive; INACTIVE_* hold their deliveries until they recover or are reactivated' }),
    headerName: t.exposeString('headerName', { nullable: true }),
    hasHeaderValue: t.boolean({ select: { headerValueCiphertext: true }, description: 'the header value itself is never returned', resolve: (w) => w.headerValueCiphertext !== null }),
    note: t.exposeString('note', { nullable: true, description: 'the last error, or why the state last changed' }),
    firstErrorAt: t.expose('firstErrorAt', { type: 'DateTime', nullable: true }),
    lastErrorAt: t.expose('lastErrorAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.prismaConnection({
    type: 'Webhook',
    cursor: 'id',
    description: 'superusers only (empty for anyone else)',
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.webhook.findMany({ ...query, where: visibleWebhooks(ctx), orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.webhook.count({ where: visibleWebhooks(ctx) }),
  }));

const WebhookPayload = objectPayload('WebhookPayload', 'webhook', 'Webhook');

inputMutation('createWebhook', {
  payload: WebhookPayload,
  description: 'Pings the endpoint first: it must answer a POST with a 2xx, or nothing is saved (the error names url and why).',
  authScopes: { superuser: true },
  inputName: 'CreateWebhookInput',
  fields: (f) => ({
    name: f.string({ required: true, validate: nameRules() }),
    url: f.string({ required: true, description: 'http or https', validate: { maxLength: URL_MAX } }),
    headerName: f.string({ description: 'one optional header sent with every request, e.g. Authorization', validate: { maxLength: 100 } }),
    headerValue: f.string({ description: 'its value; write-only, stored encrypted', validate: { maxLength: 4000 } }),
  }),
  resolve: async (input, ctx) => {
    const { columns, target } = webhookColumns(ctx, input);
    const conflict = () => `a webhook named "${columns.name}" already exists`;
    // said before the ping, which may take seconds
    if (await ctx.prisma.webhook.count({ where: { name: columns.name } })) throw badInput(`name: ${conflict()}`, 'name');
    await pingWebhook(ctx, target);
    try {
      return { id: (await ctx.prisma.webhook.create({ data: columns })).id };
    } catch (e) {
      rethrowConflict(e, 'name', conflict());
    }
  },
});

inputMutation('updateWebhook', {
  payload: WebhookPayload,
  description: 'Changes only the fields given; an omitted or empty headerValue keeps the stored one, an empty headerName removes the header. '
    + 'A changed url or header is pinged first; a URL on another server needs headerValue again. active: false switches the endpoint off '
    + '(INACTIVE_PERMANENT: its deliveries wait), true switches it on (ACTIVE, errors cleared).',
  authScopes: { superuser: true },
  inputName: 'UpdateWebhookInput',
  fields: (f) => ({
    id: f.id({ required: true }),
    name: f.string({ validate: nameRules() }),
    url: f.string({ validate: { maxLength: URL_MAX } }),
    headerName: f.string({ validate: { maxLength: 100 } }),
    headerValue: f.string({ validate: { maxLength: 4000 } }),
    active: f.boolean(),
  }),
  resolve: async (input, ctx) => {
    const existing = await requireWebhook(ctx, input.id);
    const { columns, target, changed } = webhookColumns(ctx, input, existing);
    if (changed) await pingWebhook(ctx, target);
    let health: Prisma.WebhookUpdateInput = {};
    if (input.active === false && existing.status !== 'INACTIVE_PERMANENT') {
      health = { status: 'INACTIVE_PERMANENT', note: 'Switched off by an admin' };
    } else if (input.active !== false && (input.active === true || columns.url !== existing.url) && existing.status !== 'ACTIVE') {
      // switched on, or moved to a URL that just answered the ping: the old errors are the old endpoint's
      health = { status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: input.active ? 'Reactivated by an admin' : 'Reactivated: the new URL answered the ping' };
    }
    try {
      await ctx.prisma.$transaction(async (tx) => {
        await tx.webhook.update({ where: { id: existing.id }, data: { ...columns, ...health } });
        // its parked deliveries go now, in order, rather than at their next look
        if (health.status === 'ACTIVE') await wakeWebhook(tx, existing.id);
      });
    } catch (e) {
      rethrowConflict(e, 'name', `a webhook named "${columns.name}" already exists`);
    }
    return { id: existing.id };
  },
});

deleteMutation('Webhook', {
  description: 'Removes the endpoint and its deliveries, sent or waiting.',
  authScopes: { superuser: true },
  check: async (ctx, globalId, field) => (await requireWebhook(ctx, globalId, field)).id,
  remove: async (ctx, id) => (await ctx.prisma.webhook.deleteMany({ where: { id } })).count,
});

builder.mutationField('testWebhook', (t) =>
  t.field({
    type: builder.objectRef<{ ok: boolean; message: string }>('TestWebhookPayload').implement({
      fields: (f) => ({ ok: f.exposeBoolean('ok'), message: f.exposeString('message') }),
    }),
    description: 'Sends the endpoint a ping; the message says what to fix when it fails. The endpoint\'s state is left as it is.',
    authScopes: { superuser: true },
    args: { input: t.arg({ required: true, type: builder.inputType('TestWebhookInput', { fields: (f) => ({ id: f.id({ required: true }) }) }) }) },
    resolve: async (_root, { input }, ctx) => testWebhookEndpoint(ctx, await requireWebhook(ctx, input.id)),
  }));
