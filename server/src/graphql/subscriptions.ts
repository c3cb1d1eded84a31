// Subscriptions: live operation, record, alert and delivery changes from any process (server/src/live).
// Access is checked when subscribing (UNAUTHENTICATED / FORBIDDEN / NOT_FOUND, as over HTTP) and
// again for every batch of events against the viewer as the database has it then; each event's
// fields are resolved for that viewer too, once for all subscriptions that share the answer
// (live-execution.ts).
import { queryFromInfo } from '@pothos/plugin-prisma';
import type { GraphQLResolveInfo } from 'graphql';
import { hashToken } from '../auth/tokens.ts';
import { forbidden, requireViewer } from '../auth/viewer.ts';
import { LIVE_QUEUE_LIMIT_BYTES, LiveBudget, LiveStream } from '../live/stream.ts';
import { alertTopic, deliveryTopic, liveScope, operationTopic, recordTopic, selectRows, type LiveItem } from '../live/topics.ts';
import { builder } from './builder.ts';
import { notFound } from './errors.ts';
import { decodeId } from './global-id.ts';
import { executedOnce } from './live-execution.ts';
import type { Context } from './context.ts';

type Topic = typeof operationTopic;

async function openStream(topic: Topic, ctx: Context, info: GraphQLResolveInfo, connectorGlobalId?: string | number | null, superuser = false) {
  const viewer = requireViewer(ctx.viewer);
  // scope-auth guards resolve, not subscribe: without this a refused subscriber would wait in silence
  if (superuser && !viewer.isSuperuser) throw forbidden(`subscribe to ${info.fieldName}`);
  let connectorId: number | null = null;
  if (connectorGlobalId != null) {
    connectorId = decodeId(String(connectorGlobalId), 'Connector', 'connectorId');
    // connectors are visible to global roles only (connectors.ts); naming one you cannot see is refused
    if (!viewer.seesAllProducts) throw forbidden('watch this connector');
    if (!(await ctx.prisma.connector.count({ where: { id: connectorId } }))) throw notFound('connectorId: the connector');
  }
  // the same selection every event is reloaded with, so nested fields come from one query
  const query = (await queryFromInfo({ context: ctx, info, awaitSelections: true })) as Record<string, unknown>;
  const scope = liveScope({ prisma: ctx.prisma, userId: viewer.id, tokenHash: hashToken(ctx.authToken!), connectorId, query });
  // over HTTP (server-sent events) the stream has a budget of its own: spent, it ends
  const budget = ctx.liveBudget ?? new LiveBudget(LIVE_QUEUE_LIMIT_BYTES, () => ctx.log.warn({ field: info.fieldName }, 'live subscription ended: its client stopped reading'));
  return executedOnce(ctx, new LiveStream(ctx.live, (batch) => selectRows(topic, scope, batch), ctx.log, budget));
}

builder.subscriptionType({});

/** a live field: every change of `type` the viewer may see, optionally of one connector */
function liveField(name: string, type: 'Operation' | 'Record' | 'Alert' | 'Delivery', topic: Topic, description: string, byConnector: boolean, superuser = false) {
  builder.subscriptionField(name, (t) =>
    t.prismaField({
      type,
      nullable: false,
      description,
      args: byConnector ? { connectorId: t.arg.id() } : {},
      subscribe: (_root, args, ctx, info) => openStream(topic, ctx, info, (args as { connectorId?: string | number | null }).connectorId, superuser),
      resolve: (_query, item) => (item as Pick<LiveItem, 'row'>).row as never,
    }));
}

liveField('operationChanged', 'Operation', operationTopic,
  'Every status change and progress step of the operations the viewer may see (of one connector, if given), in commit order.', true);
liveField('recordChanged', 'Record', recordTopic,
  'Records of the connectors the viewer may see (of one connector, if given): new, renamed, remapped or changing state.', true);
liveField('alertAdded', 'Alert', alertTopic, "The viewer's own new alerts.", false);
liveField('deliveryChanged', 'Delivery', deliveryTopic,
  'Superusers: every notification delivery written or changing status (PENDING, SENT, FAILED, DEAD), in commit order.', false, true);
