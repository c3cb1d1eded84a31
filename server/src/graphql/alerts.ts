// Alerts: the in-app notifications of one user (the ALERT delivery method), newest first. Only their
// owner sees them — not even a superuser reads another user's alerts.
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { badInput } from './errors.ts';
import { decodeId } from './global-id.ts';
import { inputMutation } from './payloads.ts';
import { canSee } from './visibility.ts';

builder.prismaNode('Alert', {
  authScopes: canSee.alert,
  id: { field: 'id' },
  // node(id:) answers null for someone else's alert, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), userId: ctx.viewer?.id ?? -1 }),
  fields: (t) => ({
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    url: t.exposeString('url', { nullable: true }),
    event: t.exposeString('event'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('alerts', (t) =>
  t.prismaConnection({
    type: 'Alert',
    cursor: 'id',
    description: "the viewer's own alerts, newest first",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.alert.findMany({ ...query, where: { userId: requireViewer(ctx.viewer).id }, orderBy: { id: 'desc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.alert.count({ where: { userId: requireViewer(ctx.viewer).id } }),
  }, {
    fields: (c) => ({
      unreadCount: c.int({ description: 'for the bell', resolve: (_c, _a, ctx) => unreadCount(ctx) }),
    }),
  }));

const unreadCount = (ctx: Context) => ctx.prisma.alert.count({ where: { userId: requireViewer(ctx.viewer).id, readAt: null } });

inputMutation('markAlertsRead', {
  payload: builder.objectRef<{ unreadCount: number }>('MarkAlertsReadPayload').implement({ fields: (t) => ({ unreadCount: t.exposeInt('unreadCount') }) }),
  description: 'Marks the given alerts (or all, with all: true) read; answers how many stay unread.',
  authScopes: { loggedIn: true },
  inputName: 'MarkAlertsReadInput',
  fields: (f) => ({ ids: f.idList({ validate: { maxLength: 1000 } }), all: f.boolean() }),
  resolve: async (input, ctx) => {
    const userId = requireViewer(ctx.viewer).id;
    if (!input.all && !input.ids?.length) throw badInput('give ids or all: true', 'ids');
    const ids = input.all ? undefined : input.ids!.map((id) => decodeId(String(id), 'Alert', 'ids'));
    await ctx.prisma.alert.updateMany({ where: { userId, readAt: null, ...(ids ? { id: { in: ids } } : {}) }, data: { readAt: new Date() } });
    return { unreadCount: await unreadCount(ctx) };
  },
});
