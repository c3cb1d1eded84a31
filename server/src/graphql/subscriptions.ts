// Subscriptions: live operation, record and alert changes from any process (server/src/live).
// Access is checked when subscribing (UNAUTHENTICATED / FORBIDDEN / NOT_FOUND, as over HTTP) and
// again for every batch of events against the viewer as the database has it then.
import { queryFromInfo } from '@pothos/plugin-prisma';
import type { GraphQLResolveInfo } from 'graphql';
import { hashToken } from '../auth/tokens.ts';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import { LiveStream } from '../live/stream.ts';
import { alertTopic, operationTopic, recordTopic, selectRows, type LiveScope } from '../live/topics.ts';
import { builder } from './builder.ts';
import { decodeId, notFound } from './common.ts';
import type { Context } from './context.ts';

type Topic = typeof operationTopic;

async function openStream(topic: Topic, ctx: Context, info: GraphQLResolveInfo, connectorGlobalId?: string | number | null) {
  const viewer = requireViewer(ctx.viewer);
  let connectorId: number | null = null;
  if (connectorGlobalId != null) {
    connectorId = decodeId(String(connectorGlobalId), 'Connector', 'connectorId');
    // connectors are visible to global roles only (connectors.ts); naming one you cannot see is refused
    if (!viewer.seesAllProducts) throw forbidden('watch this connector');
    if (!(await ctx.prisma.connector.count({ where: { id: connectorId } }))) throw notFound('connectorId: the connector');
  }
  // the same selection every event is reloaded with, so nested fields come from one query
  const query = (await queryFromInfo({ context: ctx, info, awaitSelections: true })) as Record<string, unknown>;
  const scope: LiveScope = { prisma: ctx.prisma, userId: viewer.id, tokenHash: hashToken(ctx.authToken!), connectorId, query };
  return new LiveStream(ctx.live, (batch) => selectRows(topic, scope, batch), ctx.log);
}

builder.subscriptionType({});

builder.subscriptionField('operationChanged', (t) =>
  t.prismaField({
    type: 'Operation',
    nullable: false,
    description: 'Every status change and progress step of the operations the viewer may see (of one connector, if given), in commit order.',
    args: { connectorId: t.arg.id() },
    subscribe: (_root, args, ctx, info) => openStream(operationTopic, ctx, info, args.connectorId),
    resolve: (_query, row) => row as never,
  }));

builder.subscriptionField('recordChanged', (t) =>
  t.prismaField({
    type: 'Record',
    nullable: false,
    description: 'Records of the connectors the viewer may see (of one connector, if given): new, renamed, remapped or changing state.',
    args: { connectorId: t.arg.id() },
    subscribe: (_root, args, ctx, info) => openStream(recordTopic, ctx, info, args.connectorId),
    resolve: (_query, row) => row as never,
  }));

builder.subscriptionField('alertAdded', (t) =>
  t.prismaField({
    type: 'Alert',
    nullable: false,
    description: "The viewer's own new alerts.",
    subscribe: (_root, _args, ctx, info) => openStream(alertTopic, ctx, info),
    resolve: (_query, row) => row as never,
  }));
