// The SQL behind every list the dashboard shows — connectors with their last operation, a connector's
// records and its operations, products with their open-finding counts, findings with test →
// engagement → product — captured as Prisma sends it and named by kind and main table (as Pothos'
// plugin-prisma tests snapshot their operations). A page of 5 must send exactly the statements a page
// of 50 sends, and those are written out below: an N+1 fails here naming the statement it repeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { gid } from '../support/graphql.ts';

/** rows of each list: more than the larger page, so both pages are full */
const ROWS = 60;
const PAGES = [5, 50];

/** `SELECT Finding`, `SELECT count Finding`, `SELECT Connector + count Record`, `UPDATE Session` … */
function statementName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? sql;
  // the first table named after FROM/INTO/UPDATE; a count's FROM (SELECT …) leads to its table
  const table = /\b(?:FROM|INTO|UPDATE)\s+(?:"public"\.)?"(\w+)"/i.exec(sql)?.[1] ?? '?';
  const count = /^\s*SELECT\s+COUNT\(/i.test(sql) ? 'count ' : '';
  // a relation's totalCount joined in as a grouped count
  const joinedCounts = [...sql.matchAll(/LEFT JOIN \(SELECT "public"\."(\w+)"\."\w+", COUNT\(/g)].map((m) => ` + count ${m[1]}`);
  return `${verb} ${count}${table}${joinedCounts.join('')}`;
}

/** who is asking: the session, its user and their memberships, read once per request */
const VIEWER = ['SELECT Session', 'SELECT User', 'SELECT ProductMember'];

interface DashboardList {
  query: string;
  variables?: () => Record<string, unknown>;
  /** the page's nodes, to check the page is full */
  nodes: (data: any) => unknown[];
  /** the statements a page sends, whatever its size (in the order they are issued, where that is fixed) */
  plan: string[];
}

let busyConnector: string;

const LISTS: Record<string, DashboardList> = {
  'connectors with their last operation': {
    query: /* GraphQL */ `
      query($n: Int!) {
        connectors(first: $n) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id name kind hasSecret discoverSchedule syncSchedule nextDiscoverAt nextSyncAt
            operations(first: 1) { nodes { id type status trigger startedAt endedAt error } }
          }
        }
      }`,
    nodes: (d) => d.connectors.nodes,
    plan: [...VIEWER, 'SELECT Connector', 'SELECT Operation', 'SELECT count Connector'],
  },
  'records of a connector, with their product': {
    query: /* GraphQL */ `
      query($id: ID!, $n: Int!) {
        node(id: $id) {
          ... on Connector {
            records(first: $n) {
              totalCount
              pageInfo { hasNextPage endCursor }
              nodes { id vendorKey name state lastDiscoveredAt finalizedAt product { id name } }
            }
          }
        }
      }`,
    variables: () => ({ id: busyConnector }),
    nodes: (d) => d.node.records.nodes,
    plan: [...VIEWER, 'SELECT Connector + count Record', 'SELECT Record', 'SELECT Product'],
  },
  'operations of a connector, with who triggered them': {
    query: /* GraphQL */ `
      query($id: ID!, $n: Int!) {
        node(id: $id) {
          ... on Connector {
            operations(first: $n) {
              totalCount
              pageInfo { hasNextPage endCursor }
              nodes {
                id type status trigger startedAt endedAt durationMs error
                triggeredBy { email }
                connector { id name }
              }
            }
          }
        }
      }`,
    variables: () => ({ id: busyConnector }),
    nodes: (d) => d.node.operations.nodes,
    plan: [...VIEWER, 'SELECT Connector + count Operation', 'SELECT Operation', 'SELECT Connector', 'SELECT User'],
  },
  'products with their open-finding counts': {
    query: /* GraphQL */ `
      query($n: Int!) {
        products(first: $n) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { id name description findings(filter: { active: true }) { totalCount } }
        }
      }`,
    nodes: (d) => d.products.nodes,
    // every product's counts, whatever the filters, from one read of the per-test counters
    plan: [...VIEWER, 'SELECT Product', 'SELECT count Product', 'SELECT FindingCount'],
  },
  'findings with test → engagement → product': {
    query: /* GraphQL */ `
      query($n: Int!) {
        findings(first: $n) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { id title severity active test { id title engagement { id name product { id name } } } }
        }
      }`,
    nodes: (d) => d.findings.nodes,
    // the keyset page's ids (named by its first table: the visible tests it walks from), the rows
    // with their relations, and totalCount summed from the per-test counters
    plan: [...VIEWER, 'SELECT Test', 'SELECT Finding', 'SELECT Test', 'SELECT Engagement', 'SELECT Product', 'SELECT FindingCount'],
  },
};

let t: TestApp;
let admin: string;
const statements: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ role: 'api', onQuery: (sql) => statements.push(sql) });
  admin = await t.login();
  // ROWS products, each with its "Global Connectors" engagement, one test, one open and one closed finding
  await t.sql(`INSERT INTO "Product" (name, "updatedAt") SELECT 'product ' || g, now() FROM generate_series(1, ${ROWS}) g`);
  await t.sql(`INSERT INTO "Engagement" ("productId", name, "updatedAt") SELECT id, 'Global Connectors', now() FROM "Product"`);
  await t.sql(`INSERT INTO "Test" ("engagementId", title, "updatedAt") SELECT id, 'scan', now() FROM "Engagement"`);
  await t.sql(`INSERT INTO "Finding" ("testId", title, severity, active) SELECT id, 'finding ' || g, 'HIGH', g = 1 FROM "Test", generate_series(1, 2) g`);
  // ROWS connectors with one operation each; the first also has ROWS operations and ROWS records, one per product
  await t.sql(`INSERT INTO "Connector" (name, kind, "updatedAt") SELECT 'connector ' || g, 'sarif-directory', now() FROM generate_series(1, ${ROWS}) g`);
  const [{ id: busy }] = await t.sql<{ id: number }>(`SELECT min(id) id FROM "Connector"`);
  busyConnector = gid('Connector', busy);
  const [{ id: adminId }] = await t.sql<{ id: number }>(`SELECT id FROM "User" WHERE "isSuperuser"`);
  await t.sql(`INSERT INTO "Operation" ("connectorId", type, status, trigger, "triggeredById")
    SELECT id, 'DISCOVER', 'SUCCEEDED', 'MANUAL', $1 FROM "Connector"`, [adminId]);
  await t.sql(`INSERT INTO "Operation" ("connectorId", type, status, trigger, "triggeredById")
    SELECT $1, 'SYNC', 'SUCCEEDED', 'MANUAL', $2 FROM generate_series(2, ${ROWS})`, [busy, adminId]);
  await t.sql(`INSERT INTO "Record" ("connectorId", "vendorKey", name, state, "productId", "updatedAt")
    SELECT $1, 'key-' || id, name, 'GOOD', id, now() FROM "Product"`, [busy]);
});
afterAll(async () => { await t?.stop(); });

/**
 * The named statements of one page of `list`, sorted: a page's batched loads (a connector's and a
 * user's, say) run side by side and reach the database in either order, so the plan is a multiset.
 */
async function planOf(list: DashboardList, n: number): Promise<string[]> {
  statements.length = 0;
  const r = await t.gql(list.query, { ...list.variables?.(), n }, admin);
  expect(r.errors).toBeUndefined();
  expect(list.nodes(r.data)).toHaveLength(n);
  return statements
    // transaction brackets, and the session's once-a-minute touch, depend on the clock and not the list
    .filter((sql) => !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql) && !/^\s*UPDATE\s+"public"\."Session"/i.test(sql))
    .map(statementName)
    .sort();
}

describe.each(Object.entries(LISTS))('%s', (_name, list) => {
  it(`sends the same statements for a page of ${PAGES.join(' and of ')}`, async () => {
    const [small, large] = [await planOf(list, PAGES[0]!), await planOf(list, PAGES[1]!)];
    expect(large).toEqual(small);
    expect(small).toEqual([...list.plan].sort());
  });
});

it('names statements by kind and main table', () => {
  expect([
    'SELECT "public"."Finding"."id" FROM "public"."Finding" LEFT JOIN "public"."Test" AS "j0" ON true',
    'SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Product"."id" FROM "public"."Product" WHERE 1=1 OFFSET $1) AS "sub"',
    'SELECT "public"."Connector"."id" FROM "public"."Connector" LEFT JOIN (SELECT "public"."Record"."connectorId", COUNT(*) AS "n" FROM "public"."Record") AS "r" ON true',
    'UPDATE "public"."Session" SET "lastUsedAt" = $1 WHERE "id" = $2',
    'INSERT INTO "public"."Operation" ("connectorId") VALUES ($1)',
  ].map(statementName)).toEqual(['SELECT Finding', 'SELECT count Product', 'SELECT Connector + count Record', 'UPDATE Session', 'INSERT Operation']);
});
