// Alerts: the in-app notifications of one user (the ALERT delivery method), newest first. Only their
// owner sees them — not even a superuser reads another user's alerts.
import { requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
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
  }));
