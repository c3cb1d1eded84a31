// The schema: imports only. Each domain file registers its types, queries and mutations.
import { builder } from './builder.ts';
import './common.ts';
import './users.ts';
import './products.ts';
import './engagements.ts';
import './tests.ts';
import './findings.ts';
import './finding-stats.ts';
import './connectors.ts';
import './records.ts';
import './operations.ts';
import './alerts.ts';
import './notifications.ts';
import './webhooks.ts';
import './subscriptions.ts';

builder.queryType({});
builder.mutationType({});

export const schema = builder.toSchema({ sortSchema: true });
