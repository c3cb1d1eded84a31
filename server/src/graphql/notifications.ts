// Notification settings (system, personal, per-product, template), the system's channels, and the
// delivery log with replay. The rules are notifications/settings.ts and deliver.ts.
import type { NotificationScope, Prisma } from '@tributary/db';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import { FINDING_EVENTS, NOTIFICATION_EVENTS, isNotificationEvent } from '../events.ts';
import { replayDeliveries } from '../notifications/deliver.ts';
import { DIGEST_METHODS, methodsOf, parseDigests, parseEventSettings, scopeKey, serializeEventSettings, systemSettings } from '../notifications/settings.ts';
import { slackAuthTest } from '../notifications/channels/slack.ts';
import { SLA_FIELDS, queueSlaRecompute } from '../operations/sla.ts';
import { InputError } from '../util/input-error.ts';
import { requireOnProduct } from './access.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { DeliveryStatusEnum, NotificationMethodEnum, NotificationScopeEnum, SeverityEnum } from './enums.ts';
import { decodeId } from './global-id.ts';
import { inputMutation } from './payloads.ts';
import { canSee } from './visibility.ts';

type SettingsShape = { scope: NotificationScope; productId: number | null; events: unknown; digests: unknown };

const DigestFrequencyEnum = builder.enumType('DigestFrequency', { values: ['IMMEDIATE', 'HOURLY', 'DAILY'] as const, description: 'IMMEDIATE: a message per event; HOURLY / DAILY: one message per period (UTC hours, midnight UTC)' });

const DigestRef = builder.objectRef<{ method: string; frequency: string }>('NotificationDigest').implement({
  fields: (t) => ({
    method: t.field({ type: NotificationMethodEnum, resolve: (d) => d.method as never }),
    frequency: t.field({ type: DigestFrequencyEnum, resolve: (d) => d.frequency as never }),
  }),
});

const EventSettingRef = builder.objectRef<{ event: string; methods: string[]; minimumSeverity: string | null }>('NotificationEventSetting').implement({
  fields: (t) => ({
    event: t.exposeString('event'),
    takesMinimumSeverity: t.boolean({ description: 'a finding event: minimumSeverity applies to it', resolve: (s) => FINDING_EVENTS.includes(s.event as never) }),
    methods: t.field({ type: [NotificationMethodEnum], resolve: (s) => s.methods as never }),
    minimumSeverity: t.field({ type: SeverityEnum, nullable: true, description: 'finding events: only findings this severe or worse', resolve: (s) => s.minimumSeverity as never }),
  }),
});

const SettingsRef = builder.objectRef<SettingsShape>('NotificationSettings').implement({
  fields: (t) => ({
    scope: t.field({ type: NotificationScopeEnum, resolve: (s) => s.scope }),
    availableMethods: t.field({ type: [NotificationMethodEnum], description: "the methods this scope's rows may choose (Teams and webhooks are the system's own)", resolve: (s) => [...methodsOf(s.scope)] }),
    product: t.prismaField({ type: 'Product', nullable: true, resolve: (query, s, _a, ctx) => (s.productId ? ctx.prisma.product.findUnique({ ...query, where: { id: s.productId } }) : null) }),
    digests: t.field({
      type: [DigestRef],
      description: 'PERSONAL: how mail and Slack messages are sent (IMMEDIATE unless set)',
      resolve: (s) => { const d = parseDigests(s.digests); return DIGEST_METHODS.map((method) => ({ method, frequency: d.get(method) ?? 'IMMEDIATE' })); },
    }),
    events: t.field({
      type: [EventSettingRef],
      description: 'every event, with the methods chosen for it (none when not set)',
      resolve: (s) => {
        const set = parseEventSettings(s.events);
        return NOTIFICATION_EVENTS.map((event) => ({ event, methods: set.get(event)?.methods ?? [], minimumSeverity: set.get(event)?.minimumSeverity ?? null }));
      },
    }),
  }),
});

/** the row key a viewer may read or write: SYSTEM and TEMPLATE are the superuser's; PRODUCT needs the product in view */
async function settingsKey(ctx: Context, scope: NotificationScope, productGlobalId: string | number | null | undefined) {
  const viewer = requireViewer(ctx.viewer);
  if ((scope === 'SYSTEM' || scope === 'TEMPLATE') && !viewer.isSuperuser) throw forbidden(`use ${scope} notification settings: they are a superuser's`);
  let productId: number | null = null;
  if (scope === 'PRODUCT') {
    if (productGlobalId == null) throw new InputError('productId', 'is required for PRODUCT settings');
    productId = await requireOnProduct(ctx, 'Product', productGlobalId, 'product.view', 'see this product', 'productId');
  }
  const userId = scope === 'PERSONAL' || scope === 'PRODUCT' ? viewer.id : null;
  return { scope, userId, productId, key: scopeKey(scope, userId, productId) };
}

builder.queryField('notificationSettings', (t) =>
  t.field({
    type: SettingsRef,
    authScopes: { loggedIn: true },
    args: { scope: t.arg({ type: NotificationScopeEnum, required: true }), productId: t.arg.id() },
    resolve: async (_root, args, ctx) => {
      const { scope, productId, key } = await settingsKey(ctx, args.scope, args.productId);
      const row = await ctx.prisma.notificationSettings.findUnique({ where: { scopeKey: key } });
      return { scope, productId, events: row?.events ?? {}, digests: row?.digests ?? {} };
    },
  }));

inputMutation('updateNotificationSettings', {
  payload: builder.objectRef<{ settings: SettingsShape }>('UpdateNotificationSettingsPayload').implement({ fields: (t) => ({ settings: t.field({ type: SettingsRef, resolve: (p) => p.settings }) }) }),
  description: 'Sets the methods (and minimum severity) of the events given; events left out keep theirs.',
  authScopes: { loggedIn: true },
  inputName: 'UpdateNotificationSettingsInput',
  fields: (f) => ({
    scope: f.field({ type: NotificationScopeEnum, required: true }),
    productId: f.id(),
    digests: f.field({
      description: 'PERSONAL only: mail and Slack at once, hourly or daily',
      type: [builder.inputType('NotificationDigestInput', { fields: (d) => ({ method: d.field({ type: NotificationMethodEnum, required: true }), frequency: d.field({ type: DigestFrequencyEnum, required: true }) }) })],
      validate: { maxLength: 5 },
    }),
    events: f.field({
      required: true,
      validate: { maxLength: NOTIFICATION_EVENTS.length },
      type: [builder.inputType('NotificationEventSettingInput', {
        fields: (e) => ({
          event: e.string({ required: true, validate: { maxLength: 100 } }),
          methods: e.field({ type: [NotificationMethodEnum], required: true }),
          minimumSeverity: e.field({ type: SeverityEnum }),
        }),
      })],
    }),
  }),
  resolve: async (input, ctx) => {
    const { scope, userId, productId, key } = await settingsKey(ctx, input.scope, input.productId);
    input.events.forEach((e, i) => {
      if (!isNotificationEvent(e.event)) throw new InputError(`events[${i}].event`, `"${e.event.slice(0, 100)}" is not a notification event`);
      const other = e.methods.find((m) => !methodsOf(scope).includes(m));
      if (other) throw new InputError(`events[${i}].methods`, `${other} is the system's own: ${scope} settings take ${methodsOf(scope).join(', ')}`);
    });
    const row = await ctx.prisma.notificationSettings.findUnique({ where: { scopeKey: key } });
    const settings = parseEventSettings(row?.events);
    for (const e of input.events) settings.set(e.event as never, { methods: [...new Set(e.methods)], minimumSeverity: e.minimumSeverity ?? null });
    const digests = Object.fromEntries(parseDigests(row?.digests));
    if (input.digests?.length) {
      if (scope !== 'PERSONAL') throw new InputError('digests', 'only PERSONAL settings take digests');
      input.digests.forEach((d, i) => { if (!DIGEST_METHODS.includes(d.method)) throw new InputError(`digests[${i}].method`, `${d.method} is sent at once (digests: ${DIGEST_METHODS.join(', ')})`); });
      for (const d of input.digests) { if (d.frequency === 'IMMEDIATE') delete digests[d.method]; else digests[d.method] = d.frequency; }
    }
    const events = serializeEventSettings(settings);
    await ctx.prisma.notificationSettings.upsert({ where: { scopeKey: key }, create: { scope, userId, productId, scopeKey: key, events, digests }, update: { events, digests } });
    return { settings: { scope, productId, events, digests } };
  },
});

type System = Prisma.SystemSettingsGetPayload<object>;
const SystemSettingsRef = builder.objectRef<System>('SystemSettings').implement({
  fields: (t) => ({
    mailTo: t.exposeString('mailTo', { description: 'comma-separated addresses for system-scope mail' }),
    enableMail: t.exposeBoolean('enableMail'),
    hasSlackToken: t.boolean({ description: 'the token itself is never returned', resolve: (s) => s.slackTokenCiphertext !== null }),
    slackChannel: t.exposeString('slackChannel'),
    enableSlack: t.exposeBoolean('enableSlack'),
    hasMsteamsUrl: t.boolean({ description: 'the Workflows URL is a credential: never returned', resolve: (s) => s.msteamsUrlCiphertext !== null }),
    enableMsteams: t.exposeBoolean('enableMsteams'),
    enableWebhooks: t.exposeBoolean('enableWebhooks'),
    slaCriticalDays: t.exposeInt('slaCriticalDays', { description: 'days an active Critical finding may stay open (DefectDojo: 7)' }),
    slaHighDays: t.exposeInt('slaHighDays', { description: 'DefectDojo: 30' }),
    slaMediumDays: t.exposeInt('slaMediumDays', { description: 'DefectDojo: 90' }),
    slaLowDays: t.exposeInt('slaLowDays', { description: 'DefectDojo: 120' }),
    engagementAutoClose: t.exposeBoolean('engagementAutoClose', { description: 'the hourly sweep closes open engagements engagementAutoCloseDays past their end' }),
    engagementAutoCloseDays: t.exposeInt('engagementAutoCloseDays'),
  }),
});


builder.queryField('systemSettings', (t) =>
  t.field({ type: SystemSettingsRef, authScopes: { superuser: true }, resolve: (_r, _a, ctx) => systemSettings(ctx.prisma) }));

/** ten years: longer is a typo */
const SLA_MAX_DAYS = 3650;

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

inputMutation('updateSystemSettings', {
  payload: builder.objectRef<{ settings: System }>('UpdateSystemSettingsPayload').implement({ fields: (t) => ({ settings: t.field({ type: SystemSettingsRef, resolve: (p) => p.settings }) }) }),
  description: 'Changes the fields given. A Slack token is checked with Slack (auth.test) before it is stored; an empty one removes it.',
  authScopes: { superuser: true },
  inputName: 'UpdateSystemSettingsInput',
  fields: (f) => ({
    mailTo: f.string({ validate: { maxLength: 2000 } }),
    slackToken: f.string({ description: 'write-only', validate: { maxLength: 500 } }),
    slackChannel: f.string({ validate: { maxLength: 200 } }),
    msteamsUrl: f.string({ description: 'write-only (it is a credential)', validate: { maxLength: 2000 } }),
    enableMail: f.boolean(),
    enableSlack: f.boolean(),
    enableMsteams: f.boolean(),
    enableWebhooks: f.boolean(),
    slaCriticalDays: f.int({ description: 'changing a severity\'s days moves every finding\'s SLA expiration (a background job)', validate: { min: 1, max: SLA_MAX_DAYS } }),
    slaHighDays: f.int({ validate: { min: 1, max: SLA_MAX_DAYS } }),
    slaMediumDays: f.int({ validate: { min: 1, max: SLA_MAX_DAYS } }),
    slaLowDays: f.int({ validate: { min: 1, max: SLA_MAX_DAYS } }),
    engagementAutoClose: f.boolean(),
    engagementAutoCloseDays: f.int({ validate: { min: 0, max: SLA_MAX_DAYS } }),
  }),
  resolve: async (input, ctx) => {
    const data: Prisma.SystemSettingsUpdateInput = {};
    if (input.mailTo != null) {
      const bad = input.mailTo.split(',').map((a) => a.trim()).filter(Boolean).find((a) => !EMAIL.test(a));
      if (bad) throw new InputError('mailTo', `"${bad.slice(0, 200)}" is not an email address`);
      data.mailTo = input.mailTo.trim();
    }
    if (input.slackToken != null) {
      if (input.slackToken) await slackAuthTest(ctx, input.slackToken);
      data.slackTokenCiphertext = input.slackToken ? ctx.secrets.seal(input.slackToken) : null;
    }
    if (input.slackChannel != null) data.slackChannel = input.slackChannel.trim();
    if (input.msteamsUrl != null) {
      if (input.msteamsUrl && !/^https?:\/\//i.test(input.msteamsUrl)) throw new InputError('msteamsUrl', 'must be the https URL of a Teams Workflows webhook');
      data.msteamsUrlCiphertext = input.msteamsUrl ? ctx.secrets.seal(input.msteamsUrl) : null;
    }
    for (const k of ['enableMail', 'enableSlack', 'enableMsteams', 'enableWebhooks', 'engagementAutoClose'] as const) if (input[k] != null) data[k] = input[k]!;
    if (input.engagementAutoCloseDays != null) data.engagementAutoCloseDays = input.engagementAutoCloseDays;
    return ctx.prisma.$transaction(async (tx) => {
      const before = await systemSettings(tx);
      for (const k of SLA_FIELDS) if (input[k] != null) data[k] = input[k]!;
      const settings = await tx.systemSettings.update({ where: { id: 1 }, data });
      if (SLA_FIELDS.some((k) => settings[k] !== before[k])) await queueSlaRecompute(tx);
      return { settings };
    });
  },
});

builder.prismaNode('Delivery', {
  authScopes: canSee.delivery,
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), ...(ctx.viewer?.isSuperuser ? {} : { id: -1 }) }),
  fields: (t) => ({
    event: t.exposeString('event'),
    method: t.expose('method', { type: NotificationMethodEnum }),
    status: t.expose('status', { type: DeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true, description: 'secrets removed' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    user: t.relation('user', { nullable: true }),
    webhook: t.relation('webhook', { nullable: true }),
  }),
});

const DeliveryFilter = builder.inputType('DeliveryFilter', {
  fields: (f) => ({ status: f.field({ type: DeliveryStatusEnum }), method: f.field({ type: NotificationMethodEnum }), webhookId: f.id() }),
});

type FilterInput = { status?: string | null; method?: string | null; webhookId?: string | number | null } | null | undefined;
function deliveryWhere(ctx: Context, filter: FilterInput): Prisma.DeliveryWhereInput {
  return {
    ...(ctx.viewer?.isSuperuser ? {} : { id: -1 }),
    ...(filter?.status ? { status: filter.status as never } : {}),
    ...(filter?.method ? { method: filter.method as never } : {}),
    ...(filter?.webhookId != null ? { webhookId: decodeId(String(filter.webhookId), 'Webhook', 'filter.webhookId') } : {}),
  };
}

builder.queryField('deliveries', (t) =>
  t.prismaConnection({
    type: 'Delivery',
    cursor: 'id',
    description: 'every notification sent or waiting, newest first (the superusers see them; everyone else none)',
    authScopes: { loggedIn: true },
    args: { filter: t.arg({ type: DeliveryFilter }) },
    resolve: (query, _r, args, ctx) => ctx.prisma.delivery.findMany({ ...query, where: deliveryWhere(ctx, args.filter), orderBy: { id: 'desc' } }),
    totalCount: (_r, args, ctx) => ctx.prisma.delivery.count({ where: deliveryWhere(ctx, args.filter) }),
  }));

inputMutation('replayDeliveries', {
  payload: builder.objectRef<{ replayed: number }>('ReplayDeliveriesPayload').implement({ fields: (t) => ({ replayed: t.exposeInt('replayed') }) }),
  description: 'Sends dead (or failing) deliveries again now: the ones given, all of one webhook, or all.',
  authScopes: { superuser: true },
  inputName: 'ReplayDeliveriesInput',
  fields: (f) => ({ ids: f.idList({ validate: { maxLength: 1000 } }), webhookId: f.id(), all: f.boolean({ description: 'every dead or failing delivery' }) }),
  resolve: async (input, ctx) => {
    if ([input.ids != null, input.webhookId != null, input.all === true].filter(Boolean).length !== 1) throw new InputError('ids', 'give exactly one of ids, webhookId and all: true');
    const where: Prisma.DeliveryWhereInput = input.ids ? { id: { in: input.ids.map((id) => decodeId(String(id), 'Delivery', 'ids')) } }
      : input.webhookId != null ? { webhookId: decodeId(String(input.webhookId), 'Webhook', 'webhookId') } : {};
    return { replayed: await replayDeliveries(ctx, where) };
  },
});
