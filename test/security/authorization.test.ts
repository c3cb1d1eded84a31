// The authorization suite, generated from the schema: every actor (anonymous, a non-member, each
// product role, each global role, a superuser) against every object of a fixture through
// node(id:), nodes(ids:), every field that returns an object or a connection (reached from every
// instance), every root query, every mutation (on its own product's objects and on another
// product's) and every subscription. The expected answer comes from the permission table
// (research/defectdojo.md §2d), written out here again — not from the server's own rules — so a new
// field, type or mutation is checked without anyone remembering to add it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  buildSchema, getNamedType, isCompositeType, isObjectType,
  type GraphQLField, type GraphQLNamedType, type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type GqlResult, type TestApp } from '../support/app.ts';
import { subscribe } from '../support/processes.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { sleep } from '../support/wait.ts';

const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../../server/schema.graphql'), 'utf8'));
const ROLES = ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER'] as const;
type Role = (typeof ROLES)[number];
type Permission = 'product.view' | 'product.edit' | 'product.delete' | 'product.manageMembers' | 'product.addOwner'
  | 'engagement.add' | 'engagement.edit' | 'engagement.delete' | 'test.add' | 'test.edit' | 'test.delete'
  | 'finding.add' | 'finding.edit' | 'finding.delete' | 'note.add';

// DefectDojo's role table (research/defectdojo.md §2d), each role spelled out in full
const GRANTS: Record<Role, Permission[]> = {
  READER: ['product.view', 'note.add'],
  API_IMPORTER: ['product.view', 'engagement.add', 'engagement.edit', 'test.edit'],
  WRITER: ['product.view', 'note.add', 'engagement.add', 'engagement.edit', 'test.add', 'test.edit', 'finding.add', 'finding.edit'],
  MAINTAINER: ['product.view', 'note.add', 'engagement.add', 'engagement.edit', 'test.add', 'test.edit', 'finding.add', 'finding.edit',
    'product.edit', 'product.manageMembers', 'engagement.delete', 'test.delete', 'finding.delete'],
  OWNER: ['product.view', 'note.add', 'engagement.add', 'engagement.edit', 'test.add', 'test.edit', 'finding.add', 'finding.edit',
    'product.edit', 'product.manageMembers', 'engagement.delete', 'test.delete', 'finding.delete', 'product.delete', 'product.addOwner'],
};

interface Actor { name: string; token: string | null; userId: number | null; productRole?: Role; globalRole?: Role; superuser?: boolean }

let t: TestApp;
let sql: pg.Client;
let admin: string;
/** where webhooks point: createWebhook pings it, testWebhook calls it */
let hooks: WebhookReceiver;
const actors: Actor[] = [];
/** product id the role actors are members of (P1), and another one (P2) with its own member */
let p1: number;
let p2: number;
let memberships = new Map<number, Map<number, Role>>(); // userId → productId → role
let productOf = new Map<string, number>(); // "Type:id" → product id, for the product tree
let alertOwner = new Map<number, number>();
let tokenOwner = new Map<number, number>();
const instances: Array<{ type: string; id: number }> = [];

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const ungid = (g: string) => { const [type, id] = Buffer.from(g, 'base64').toString().split(':'); return { type: type!, id: Number(id) }; };
const PASSWORD = 'authorization-suite-pw';

async function gqlAs(actor: Actor | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult> {
  return t.gql(query, variables, actor?.token ?? undefined);
}

async function ok(query: string, variables?: Record<string, unknown>) {
  const r = await t.gql(query, variables, admin);
  if (r.errors?.length) throw new Error(`${query}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

// ——— the oracle: what the permission table says an actor may see ———

function can(actor: Actor, permission: Permission, productId: number): boolean {
  if (actor.superuser) return true;
  if (actor.userId === null) return false;
  const roles = [actor.globalRole, memberships.get(actor.userId)?.get(productId)].filter(Boolean) as Role[];
  return roles.some((r) => GRANTS[r].includes(permission));
}

const seesAllProducts = (a: Actor) => !!a.superuser || !!a.globalRole;

function visible(actor: Actor, type: string, id: number): boolean {
  if (actor.userId === null) return false;
  switch (type) {
    case 'Connector': case 'Record': case 'Operation': return seesAllProducts(actor);
    case 'Alert': return alertOwner.get(id) === actor.userId;
    case 'ApiToken': return tokenOwner.get(id) === actor.userId;
    case 'Webhook': case 'Delivery': return !!actor.superuser;
    case 'User': {
      if (seesAllProducts(actor) || id === actor.userId) return true;
      const mine = memberships.get(actor.userId) ?? new Map();
      return [...(memberships.get(id)?.keys() ?? [])].some((p) => mine.has(p));
    }
    default: {
      const product = productOf.get(`${type}:${id}`);
      if (product === undefined) throw new Error(`no product known for ${type}:${id}`);
      return can(actor, 'product.view', product);
    }
  }
}

// ——— the fixture ———

async function rows(query: string, params: unknown[] = []) { return (await sql.query(query, params)).rows; }

async function loadOracle() {
  memberships = new Map();
  for (const m of await rows('SELECT "userId", "productId", role FROM "ProductMember"')) {
    if (!memberships.has(m.userId)) memberships.set(m.userId, new Map());
    memberships.get(m.userId)!.set(m.productId, m.role);
  }
  productOf = new Map();
  const tree: Array<[string, string]> = [
    ['Product', 'SELECT id, id AS p FROM "Product"'],
    ['ProductMember', 'SELECT id, "productId" AS p FROM "ProductMember"'],
    ['Engagement', 'SELECT id, "productId" AS p FROM "Engagement"'],
    ['Test', 'SELECT t.id, e."productId" AS p FROM "Test" t JOIN "Engagement" e ON e.id = t."engagementId"'],
    ['TestImport', 'SELECT i.id, e."productId" AS p FROM "TestImport" i JOIN "Test" t ON t.id = i."testId" JOIN "Engagement" e ON e.id = t."engagementId"'],
    ['Finding', 'SELECT f.id, e."productId" AS p FROM "Finding" f JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId"'],
    ['FindingNote', 'SELECT n.id, e."productId" AS p FROM "FindingNote" n JOIN "Finding" f ON f.id = n."findingId" JOIN "Test" t ON t.id = f."testId" JOIN "Engagement" e ON e.id = t."engagementId"'],
  ];
  for (const [type, q] of tree) for (const r of await rows(q)) productOf.set(`${type}:${r.id}`, r.p);
  alertOwner = new Map((await rows('SELECT id, "userId" FROM "Alert"')).map((r) => [r.id, r.userId]));
  tokenOwner = new Map((await rows('SELECT id, "userId" FROM "ApiToken"')).map((r) => [r.id, r.userId]));
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  hooks = await startWebhookReceiver();
  sql = new pg.Client({ connectionString: t.databaseUrl });
  await sql.connect();
  admin = await t.login();
  const adminId = (await ok('{ viewer { id } }')).viewer.id;
  actors.push({ name: 'anonymous', token: null, userId: null });
  actors.push({ name: 'superuser', token: admin, userId: ungid(adminId).id, superuser: true });

  const product = async (name: string) => ungid((await ok('mutation($n: String!) { createProduct(input: { name: $n }) { product { id } } }', { n: name })).createProduct.product.id).id;
  p1 = await product('Alpha');
  p2 = await product('Beta');
  const user = async (name: string, globalRole?: Role) => {
    const u = await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }',
      { i: { email: `${name.toLowerCase()}@example.com`, name, password: PASSWORD, globalRole: globalRole ?? null } });
    return { id: ungid(u.createUser.user.id).id, token: await t.login(`${name.toLowerCase()}@example.com`, PASSWORD) };
  };
  const member = (productId: number, userId: number, role: Role) =>
    ok('mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { id } } }', { i: { productId: gid('Product', productId), userId: gid('User', userId), role } });
  const outsider = await user('Outsider');
  actors.push({ name: 'non-member', token: outsider.token, userId: outsider.id });
  for (const role of ROLES) {
    const u = await user(`Product${role}`);
    await member(p1, u.id, role);
    actors.push({ name: `product ${role}`, token: u.token, userId: u.id, productRole: role });
  }
  for (const role of ROLES) {
    const u = await user(`Global${role}`, role);
    actors.push({ name: `global ${role}`, token: u.token, userId: u.id, globalRole: role });
  }
  const peer = await user('BetaPeer');
  await member(p2, peer.id, 'WRITER');

  // a product tree in each product; the connector's test, import, operation and records
  const connector = ungid((await ok('mutation($i: CreateConnectorInput!) { createConnector(input: $i) { connector { id } } }',
    { i: { name: 'Scans', kind: 'sarif-directory', options: { path: 'authz-suite-reports' }, discoverSchedule: null, syncSchedule: null } })).createConnector.connector.id).id;
  const [op] = await rows(`INSERT INTO "Operation" ("connectorId", type, trigger, status) VALUES ($1, 'SYNC', 'MANUAL', 'SUCCEEDED') RETURNING id`, [connector]);
  for (const p of [p1, p2]) {
    const e = (await ok('mutation($p: ID!) { createEngagement(input: { productId: $p, name: "Global Connectors" }) { engagement { id } } }', { p: gid('Product', p) })).createEngagement.engagement.id;
    const tt = (await ok('mutation($e: ID!) { createTest(input: { engagementId: $e, title: "Scans" }) { test { id } } }', { e })).createTest.test.id;
    await sql.query('UPDATE "Test" SET "connectorId" = $1 WHERE id = $2', [connector, ungid(tt).id]);
    await sql.query('INSERT INTO "TestImport" ("testId", "operationId") VALUES ($1, $2)', [ungid(tt).id, op.id]);
    const f = (await ok('mutation($t: ID!) { createFinding(input: { testId: $t, title: "XSS", severity: HIGH }) { finding { id } } }', { t: tt })).createFinding.finding.id;
    await ok('mutation($f: ID!) { addFindingNote(input: { findingId: $f, text: "seen" }) { finding { id } } }', { f });
    await sql.query(`INSERT INTO "Record" ("connectorId", "vendorKey", name, state, "productId", "updatedAt") VALUES ($1, $2, $2, 'GOOD', $3, now())`, [connector, `repo-${p}`, p]);
  }
  await sql.query(`INSERT INTO "Record" ("connectorId", "vendorKey", name, "updatedAt") VALUES ($1, 'unmapped', 'unmapped', now())`, [connector]);
  for (const a of actors) if (a.userId) await sql.query(`INSERT INTO "Alert" ("userId", event, title) VALUES ($1, 'other', $2)`, [a.userId, `for ${a.name}`]);
  for (const a of actors) if (a.userId) await sql.query(`INSERT INTO "ApiToken" (name, "tokenHash", "userId") VALUES ($1, $2, $3)`, [`CI of ${a.name}`, `fixture-hash-${a.userId}`, a.userId]);
  const [hook] = await rows(`INSERT INTO "Webhook" (name, url, "headerName", "updatedAt") VALUES ('Fixture hook', $1, 'Authorization', now()) RETURNING id`, [hooks.url]);
  await sql.query(`INSERT INTO "Delivery" (event, method, "webhookId", payload, status) VALUES ('other', 'WEBHOOKS', $1, '{}', 'DEAD')`, [hook.id]);

  await loadOracle();
  const nodeTypes = Object.values(schema.getTypeMap()).filter((ty): ty is GraphQLObjectType => isObjectType(ty) && ty.getInterfaces().some((i) => i.name === 'Node'));
  for (const ty of nodeTypes) {
    const ids = await rows(`SELECT id FROM "${ty.name}" ORDER BY id`);
    expect(ids.length, `the fixture has no ${ty.name}`).toBeGreaterThan(0);
    for (const r of ids) instances.push({ type: ty.name, id: r.id });
  }
}, 120_000);

afterAll(async () => { await sql?.end(); await t?.stop(); await hooks?.close(); });

// ——— selections generated from the schema ———

const nodeTypeNames = new Set(Object.values(schema.getTypeMap()).filter((ty) => isObjectType(ty) && ty.getInterfaces().some((i) => i.name === 'Node')).map((ty) => ty.name));

function args(field: GraphQLField<unknown, unknown>): string {
  return field.args.some((a) => a.name === 'first') ? '(first: 100)' : '';
}

/** objects reachable without passing another Node: its id; a Node: __typename and id only */
function selection(type: GraphQLNamedType, depth = 0): string {
  if (!isObjectType(type)) return isCompositeType(type) ? '{ __typename ... on Node { id } }' : '';
  const parts = ['__typename'];
  if (nodeTypeNames.has(type.name)) return '{ __typename id }';
  for (const [name, field] of Object.entries(type.getFields())) {
    const named = getNamedType(field.type);
    if (field.args.some((a) => a.type.toString().endsWith('!'))) continue;
    if (!isCompositeType(named)) { parts.push(name); continue; }
    if (depth < 4) parts.push(`${name}${args(field)} ${selection(named, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** every field of a Node type that returns an object or a connection, selected one hop deep */
function hopSelection(type: GraphQLObjectType): string {
  const parts = ['__typename', 'id'];
  for (const [name, field] of Object.entries(type.getFields())) {
    const named = getNamedType(field.type);
    if (!isCompositeType(named) || field.args.some((a) => a.type.toString().endsWith('!'))) continue;
    const inner = nodeTypeNames.has(named.name) ? '{ __typename id }' : selection(named);
    parts.push(`${name}${args(field)} ${inner}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** identity of an object in a response: Node global ids, TestImport's own id */
function identity(o: Record<string, unknown>): { type: string; id: number } | null {
  if (typeof o.__typename !== 'string' || o.id == null) return null;
  if (nodeTypeNames.has(o.__typename)) return ungid(String(o.id));
  // TestImport is no Node (its id is the row id) but belongs to a product all the same
  return o.__typename === 'TestImport' ? { type: o.__typename, id: Number(o.id) } : null;
}

/** a list item's identity: its own, or its node's (connection edges) */
function itemIdentity(item: unknown): { type: string; id: number } | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as Record<string, unknown>;
  return identity(o) ?? (o.node && typeof o.node === 'object' ? identity(o.node as Record<string, unknown>) : null);
}

/**
 * The superuser's answer, with what `actor` may not see taken out, is exactly the actor's answer:
 * a hidden object is null (nullable field) or absent from its list, and a list's totalCount counts
 * only what the actor sees.
 */
function expectFiltered(actor: Actor, su: unknown, got: unknown, at: string) {
  if (su === null || su === undefined) { expect(got ?? null, at).toBeNull(); return; }
  if (Array.isArray(su)) {
    const kept = su.filter((item) => { const id = itemIdentity(item); return !id || visible(actor, id.type, id.id); });
    expect(Array.isArray(got), `${at} should be a list`).toBe(true);
    expect((got as unknown[]).length, at).toBe(kept.length);
    kept.forEach((item, i) => expectFiltered(actor, item, (got as unknown[])[i], `${at}[${i}]`));
    return;
  }
  if (typeof su !== 'object') { expect(got, at).toEqual(su); return; }
  const o = su as Record<string, unknown>;
  const id = identity(o);
  if (id && !visible(actor, id.type, id.id)) { expect(got ?? null, `${at}: ${id.type}:${id.id} must be hidden from ${actor.name}`).toBeNull(); return; }
  expect(got, `${at}: ${id ? `${id.type}:${id.id}` : 'object'} must be visible to ${actor.name}`).toBeTruthy();
  const g = got as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'pageInfo') continue; // cursors of a shorter list differ; what the list holds is checked
    if (k === 'totalCount' && Array.isArray(o.nodes) && (o.nodes as unknown[]).length === v) {
      const seen = (o.nodes as unknown[]).filter((n) => { const nid = itemIdentity(n); return !nid || visible(actor, nid.type, nid.id); }).length;
      expect(g.totalCount, `${at}.totalCount`).toBe(seen);
      continue;
    }
    expectFiltered(actor, v, g[k], `${at}.${k}`);
  }
}

/** errors are only the expected refusals (never an unexpected or internal error) */
function expectOnlyRefusals(actor: Actor, r: GqlResult, at: string) {
  for (const e of r.errors ?? []) {
    expect(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], `${at}: ${e.message}`).toContain(e.extensions?.code);
    if (actor.userId === null) expect(e.extensions?.code, at).toBe('UNAUTHENTICATED');
  }
}

const nonAnonymous = () => actors.filter((a) => a.userId !== null);

describe('reads', () => {
  it('node(id:) for every instance of every type: visible exactly per the table, and every field that returns an object or a connection shows only what the actor may see', async () => {
    const superuser = actors.find((a) => a.superuser)!;
    let checked = 0;
    for (const inst of instances) {
      const type = schema.getType(inst.type) as GraphQLObjectType;
      const query = `query($id: ID!) { node(id: $id) { ... on ${inst.type} ${hopSelection(type)} } }`;
      // the superuser sees all but other people's alerts: those are read as their owner
      const referee = visible(superuser, inst.type, inst.id) ? superuser : actors.find((a) => visible(a, inst.type, inst.id))!;
      const reference = await gqlAs(referee, query, { id: gid(inst.type, inst.id) });
      expect(reference.errors, `${referee.name} reading ${inst.type}:${inst.id}`).toBeUndefined();
      await Promise.all(actors.map(async (actor) => {
        const r = await gqlAs(actor, query, { id: gid(inst.type, inst.id) });
        const at = `${actor.name} → node(${inst.type}:${inst.id})`;
        expectOnlyRefusals(actor, r, at);
        if (!visible(actor, inst.type, inst.id)) {
          expect(r.data?.node ?? null, at).toBeNull();
          return;
        }
        expectFiltered(actor, reference.data!.node, r.data!.node, at);
        checked++;
      }));
    }
    // every Node type was reached, by several actors
    expect(checked).toBeGreaterThan(instances.length * 2);
  });

  it('nodes(ids:) answers null for each id the actor may not see', async () => {
    const ids = instances.map((i) => gid(i.type, i.id));
    for (const actor of nonAnonymous()) {
      const r = await gqlAs(actor, 'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }', { ids });
      expectOnlyRefusals(actor, r, actor.name);
      r.data!.nodes.forEach((n: { id: string } | null, i: number) =>
        expect(n?.id ?? null, `${actor.name} → ${instances[i]!.type}:${instances[i]!.id}`).toBe(visible(actor, instances[i]!.type, instances[i]!.id) ? ids[i] : null));
    }
  });

  it('every root query returns only what the actor may see, and all of it', async () => {
    const root = schema.getQueryType()!;
    const superuser = actors.find((a) => a.superuser)!;
    for (const [name, field] of Object.entries(root.getFields())) {
      if (name === 'node' || name === 'nodes') continue; // above
      if (name === 'notificationSettings') continue; // takes a scope: below
      const query = `{ ${name}${args(field)} ${selection(getNamedType(field.type))} }`;
      const reference = await gqlAs(superuser, query);
      expect(reference.errors, name).toBeUndefined();
      for (const actor of actors) {
        const r = await gqlAs(actor, query);
        const at = `${actor.name} → ${name}`;
        expectOnlyRefusals(actor, r, at);
        if (actor.userId === null) { expect(r.data?.[name] ?? null, at).toBeNull(); continue; }
        if (name === 'viewer') { expect(ungid(r.data!.viewer.id).id, at).toBe(actor.userId); continue; }
        // the system's channels (no object of its own to filter by): superusers only
        if (name === 'systemSettings') {
          if (actor.superuser) expect(r.data!.systemSettings, at).toBeTruthy();
          else expect(r.data?.systemSettings ?? null, at).toBeNull();
          continue;
        }
        if (name === 'apiTokens') {
          expect(r.data!.apiTokens.nodes.map((n: { id: string }) => ungid(n.id).id).sort(), at)
            .toEqual([...tokenOwner].filter(([, u]) => u === actor.userId).map(([id]) => id).sort());
          continue;
        }
        if (name === 'findingSummary' || name === 'findingTrend') {
          // the fixture's findings are all active, High and new today: one per product the actor may see
          const mine = [...productOf.keys()].filter((k) => k.startsWith('Finding:') && visible(actor, 'Finding', Number(k.split(':')[1]))).length;
          if (name === 'findingSummary') expect(r.data!.findingSummary, at).toMatchObject({ high: mine, total: mine });
          // all created today: the last of the 30 days
          else expect(r.data!.findingTrend.map((d: { opened: number }) => d.opened), at).toEqual([...Array(29).fill(0), mine]);
          continue;
        }
        if (name === 'alerts') {
          expect(r.data!.alerts.nodes.map((n: { id: string }) => ungid(n.id).id), at)
            .toEqual([...alertOwner].filter(([, u]) => u === actor.userId).map(([id]) => id).sort((a, b) => b - a));
          continue;
        }
        expectFiltered(actor, reference.data![name], r.data![name], at);
      }
    }
  });
});

describe('notification settings', () => {
  it('SYSTEM and TEMPLATE are the superusers’, PERSONAL everyone’s own, PRODUCT only for a product in view', async () => {
    const query = 'query($s: NotificationScope!, $p: ID) { notificationSettings(scope: $s, productId: $p) { scope product { id } } }';
    for (const actor of actors) {
      for (const scope of ['SYSTEM', 'TEMPLATE', 'PERSONAL', 'PRODUCT']) {
        const r = await gqlAs(actor, query, { s: scope, p: scope === 'PRODUCT' ? gid('Product', p1) : null });
        const at = `${actor.name} → notificationSettings(${scope})`;
        expectOnlyRefusals(actor, r, at);
        const allowed = actor.userId !== null && (scope === 'PERSONAL' || (scope === 'PRODUCT' ? visible(actor, 'Product', p1) : !!actor.superuser));
        if (allowed) expect(r.data?.notificationSettings?.scope, at).toBe(scope);
        else expect(r.data?.notificationSettings ?? null, at).toBeNull();
      }
    }
  });
});

// ——— mutations: each needs what the table says, on its own product's objects and on another's ———

type Need = 'public' | 'loggedIn' | 'superuser' | 'globalManager' | Permission;
interface Target { product: number; engagement: number; test: number; finding: number; connector: number; record: number; ignoredRecord: number; user: number; webhook: number; delivery: number }
interface MutationCase { need: Need; input: (t: Target, n: number) => Record<string, unknown>; select?: string }

let serial = 0;
/** a fresh product tree (and connector objects) where `actor` holds their product role, or none */
async function freshTarget(actor: Actor | null): Promise<Target> {
  const n = ++serial;
  const [{ id: product }] = await rows(`INSERT INTO "Product" (name, "updatedAt") VALUES ($1, now()) RETURNING id`, [`Target ${n}`]);
  if (actor?.productRole && actor.userId) await sql.query('INSERT INTO "ProductMember" ("productId", "userId", role) VALUES ($1, $2, $3)', [product, actor.userId, actor.productRole]);
  const [{ id: engagement }] = await rows(`INSERT INTO "Engagement" ("productId", name, "updatedAt") VALUES ($1, 'E', now()) RETURNING id`, [product]);
  const [{ id: test }] = await rows(`INSERT INTO "Test" ("engagementId", title, "updatedAt") VALUES ($1, 'T', now()) RETURNING id`, [engagement]);
  const [{ id: finding }] = await rows(`INSERT INTO "Finding" ("testId", title, severity) VALUES ($1, 'F', 'HIGH') RETURNING id`, [test]);
  const [{ id: connector }] = await rows(`INSERT INTO "Connector" (name, kind, options, "updatedAt", "discoverSchedule", "syncSchedule") VALUES ($1, 'sarif-directory', $2, now(), NULL, NULL) RETURNING id`,
    [`C ${n}`, JSON.stringify({ path: path.join(os.tmpdir(), 'authz-suite-reports') })]);
  const [{ id: record }] = await rows(`INSERT INTO "Record" ("connectorId", "vendorKey", name, "updatedAt") VALUES ($1, 'k', 'k', now()) RETURNING id`, [connector]);
  const [{ id: ignoredRecord }] = await rows(`INSERT INTO "Record" ("connectorId", "vendorKey", name, state, "updatedAt") VALUES ($1, 'i', 'i', 'IGNORED', now()) RETURNING id`, [connector]);
  const [{ id: user }] = await rows(`INSERT INTO "User" (email, name, "passwordHash") VALUES ($1, 'U', 'x') RETURNING id`, [`target${n}@example.com`]);
  const [{ id: webhook }] = await rows(`INSERT INTO "Webhook" (name, url, "updatedAt") VALUES ($1, $2, now()) RETURNING id`, [`Hook ${n}`, hooks.url]);
  const [{ id: delivery }] = await rows(`INSERT INTO "Delivery" (event, method, "webhookId", payload, status) VALUES ('other', 'WEBHOOKS', $1, '{}', 'DEAD') RETURNING id`, [webhook]);
  if (actor?.productRole && actor.userId) memberships.get(actor.userId)!.set(product, actor.productRole);
  return { product, engagement, test, finding, connector, record, ignoredRecord, user, webhook, delivery };
}

const MUTATIONS: Record<string, MutationCase> = {
  login: { need: 'public', input: () => ({ email: 'nobody@example.com', password: 'wrong-password' }) },
  logout: { need: 'loggedIn', input: () => ({}) },
  createApiToken: { need: 'loggedIn', input: (_t, n) => ({ name: `token ${n}` }) },
  revokeApiToken: { need: 'loggedIn', input: () => ({ token: 'set per actor' }) },
  createUser: { need: 'superuser', input: (_t, n) => ({ email: `new${n}@example.com`, password: PASSWORD }) },
  addProductMember: { need: 'product.manageMembers', input: (t) => ({ productId: gid('Product', t.product), userId: gid('User', t.user), role: 'READER' }) },
  createProduct: { need: 'globalManager', input: (_t, n) => ({ name: `Created ${n}` }) },
  updateProduct: { need: 'product.edit', input: (t, n) => ({ id: gid('Product', t.product), name: `Renamed ${n}` }) },
  deleteProduct: { need: 'product.delete', input: (t) => ({ id: gid('Product', t.product) }) },
  createEngagement: { need: 'engagement.add', input: (t) => ({ productId: gid('Product', t.product), name: 'New' }) },
  updateEngagement: { need: 'engagement.edit', input: (t) => ({ id: gid('Engagement', t.engagement), name: 'Renamed' }) },
  closeEngagement: { need: 'engagement.edit', input: (t) => ({ id: gid('Engagement', t.engagement) }) },
  reopenEngagement: { need: 'engagement.edit', input: (t) => ({ id: gid('Engagement', t.engagement) }) },
  deleteEngagement: { need: 'engagement.delete', input: (t) => ({ id: gid('Engagement', t.engagement) }) },
  createTest: { need: 'test.add', input: (t) => ({ engagementId: gid('Engagement', t.engagement), title: 'New' }) },
  updateTest: { need: 'test.edit', input: (t) => ({ id: gid('Test', t.test), title: 'Renamed' }) },
  deleteTest: { need: 'test.delete', input: (t) => ({ id: gid('Test', t.test) }) },
  createFinding: { need: 'finding.add', input: (t) => ({ testId: gid('Test', t.test), title: 'New', severity: 'LOW' }) },
  updateFinding: { need: 'finding.edit', input: (t) => ({ id: gid('Finding', t.finding), title: 'Renamed' }) },
  deleteFinding: { need: 'finding.delete', input: (t) => ({ id: gid('Finding', t.finding) }) },
  requestFindingReview: { need: 'finding.edit', input: (t) => ({ findingId: gid('Finding', t.finding), reviewerIds: [gid('User', t.user)] }) },
  addFindingNote: { need: 'note.add', input: (t) => ({ findingId: gid('Finding', t.finding), text: 'note' }) },
  createConnector: { need: 'globalManager', input: (_t, n) => ({ name: `New ${n}`, kind: 'sarif-directory', options: { path: 'authz-suite-reports' }, discoverSchedule: null, syncSchedule: null }) },
  updateConnector: { need: 'globalManager', input: (t, n) => ({ id: gid('Connector', t.connector), name: `Renamed ${n}` }) },
  deleteConnector: { need: 'globalManager', input: (t) => ({ id: gid('Connector', t.connector) }) },
  testConnector: { need: 'globalManager', input: (t) => ({ id: gid('Connector', t.connector) }) },
  runDiscover: { need: 'globalManager', input: (t) => ({ connectorId: gid('Connector', t.connector) }) },
  runSync: { need: 'globalManager', input: (t) => ({ connectorId: gid('Connector', t.connector) }) },
  mapRecord: { need: 'globalManager', input: (t) => ({ recordId: gid('Record', t.record), productId: gid('Product', t.product) }) },
  ignoreRecord: { need: 'globalManager', input: (t) => ({ recordId: gid('Record', t.record) }) },
  restoreRecord: { need: 'globalManager', input: (t) => ({ recordId: gid('Record', t.ignoredRecord) }) },
  deleteRecord: { need: 'globalManager', input: (t) => ({ recordId: gid('Record', t.record) }) },
  createWebhook: { need: 'superuser', input: (_t, n) => ({ name: `Created hook ${n}`, url: hooks.url }) },
  updateWebhook: { need: 'superuser', input: (t, n) => ({ id: gid('Webhook', t.webhook), name: `Renamed hook ${n}` }) },
  deleteWebhook: { need: 'superuser', input: (t) => ({ id: gid('Webhook', t.webhook) }) },
  testWebhook: { need: 'superuser', input: (t) => ({ id: gid('Webhook', t.webhook) }) },
  markAlertsRead: { need: 'loggedIn', input: () => ({ all: true }) },
  updateNotificationSettings: { need: 'loggedIn', input: () => ({ scope: 'PERSONAL', events: [{ event: 'scan_added', methods: ['ALERT'] }] }) },
  updateSystemSettings: { need: 'superuser', input: () => ({ enableWebhooks: true }) },
  replayDeliveries: { need: 'superuser', input: (t) => ({ ids: [gid('Delivery', t.delivery)] }) },
  updateUser: { need: 'superuser', input: (t) => ({ id: gid('User', t.user), name: 'Renamed' }) },
  removeProductMember: { need: 'product.manageMembers', input: (t) => ({ productId: gid('Product', t.product), userId: gid('User', t.user) }) },
};

function allowed(actor: Actor, need: Need, productId: number): boolean {
  if (need === 'public') return true;
  if (actor.userId === null) return false;
  if (actor.superuser || need === 'loggedIn') return true;
  if (need === 'superuser') return false;
  if (need === 'globalManager') return actor.globalRole === 'MAINTAINER' || actor.globalRole === 'OWNER';
  return can(actor, need, productId);
}

/** every domain table, hashed: a refused mutation leaves each exactly as it was */
async function snapshot(): Promise<string> {
  const tables = ['Product', 'ProductMember', 'Engagement', 'Test', 'Finding', 'FindingNote', 'Connector', 'Record', 'Operation', 'User', 'ApiToken', 'Webhook',
    'Delivery', 'NotificationSettings', 'SystemSettings'];
  // an API token's lastUsedAt moves whenever it is used; whether it is revoked is what counts
  const source = (tb: string) => (tb === 'ApiToken' ? '(SELECT id, "revokedAt" FROM "ApiToken")' : `"${tb}"`);
  const parts = await rows(tables.map((tb) => `SELECT '${tb}' AS t, md5(coalesce(string_agg(x::text, ',' ORDER BY x.id), '')) AS h FROM ${source(tb)} x`).join(' UNION ALL '));
  return parts.map((p) => `${p.t}:${p.h}`).join(' ');
}

function payloadSelection(name: string): string {
  const field = schema.getMutationType()!.getFields()[name]!;
  const payload = getNamedType(field.type) as GraphQLObjectType;
  return `{ ${Object.entries(payload.getFields()).map(([f, def]) => (isCompositeType(getNamedType(def.type)) ? `${f} { __typename }` : f)).join(' ')} }`;
}

describe('mutations', () => {
  it('the table names every mutation of the schema', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
  });

  for (const [name, c] of Object.entries(MUTATIONS)) {
    it(`${name}: allowed exactly per the table, on the actor's own product and on another`, async () => {
      const inputType = schema.getMutationType()!.getFields()[name]!.args.find((a) => a.name === 'input');
      const document = inputType
        ? `mutation($input: ${inputType.type.toString()}) { ${name}(input: $input) ${payloadSelection(name)} }`
        : `mutation { ${name} ${payloadSelection(name)} }`;
      // a failed login is throttled per address: two tries say what is needed (refused alike for all)
      for (const actor of name === 'login' ? actors.slice(0, 2) : actors) {
        for (const own of name === 'login' ? [true] : [true, false]) {
          const target = await freshTarget(own ? actor : null);
          let token = actor.token;
          const input = c.input(target, ++serial);
          if (name === 'logout' && token) token = (await gqlAs(actor, 'mutation { createApiToken(input: { name: "throwaway" }) { token } }')).data!.createApiToken.token;
          if (name === 'revokeApiToken') {
            // your own token: anyone logged in; someone else's: superusers only
            const owner = own || !actor.userId ? actor : actors.find((a) => a.superuser && a !== actor) ?? actors.find((a) => a.name === 'non-member')!;
            input.token = owner.token ? (await gqlAs(owner, 'mutation { createApiToken(input: { name: "to revoke" }) { token } }')).data!.createApiToken.token : 'tok_unknown';
          }
          const before = await snapshot();
          const r = await t.gql(document, inputType ? { input } : undefined, token ?? undefined);
          const at = `${actor.name} → ${name} on ${own ? 'own' : 'another'} product`;
          let expected = allowed(actor, c.need, target.product);
          if (name === 'revokeApiToken') expected = actor.userId !== null && (own || !!actor.superuser);
          if (name === 'login') expected = false; // wrong password on purpose: refused for everyone alike
          if (expected) {
            expect(r.errors, at).toBeUndefined();
            expect(r.data?.[name], at).toBeTruthy();
          } else {
            expect(r.data?.[name] ?? null, at).toBeNull();
            const code = r.errors?.[0]?.extensions?.code;
            if (name === 'login') expect(code, at).toBe('BAD_USER_INPUT');
            else expect(code, `${at}: ${r.errors?.[0]?.message}`).toEqual(actor.userId === null ? 'UNAUTHENTICATED' : name === 'revokeApiToken' ? 'FORBIDDEN' : expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/));
            if (name !== 'login') expect(await snapshot(), `${at} wrote something`).toBe(before);
          }
        }
      }
    });
  }

  it('a product member naming another product’s object gets NOT_FOUND, as if it did not exist', async () => {
    const writer = actors.find((a) => a.productRole === 'OWNER')!;
    const other = await freshTarget(null);
    const r = await gqlAs(writer, 'mutation($i: UpdateProductInput!) { updateProduct(input: $i) { product { id } } }', { i: { id: gid('Product', other.product), name: 'x' } });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const missing = await gqlAs(writer, 'mutation($i: UpdateProductInput!) { updateProduct(input: $i) { product { id } } }', { i: { id: gid('Product', 999_999), name: 'x' } });
    expect(missing.errors?.[0]?.message).toBe(r.errors?.[0]?.message);
  });
});

describe('subscriptions', () => {
  it('every subscription delivers only what the actor may see', async () => {
    const fields = Object.keys(schema.getSubscriptionType()!.getFields()).sort();
    expect(fields).toEqual(['alertAdded', 'deliveryChanged', 'operationChanged', 'recordChanged']);
    const subs = actors.map((actor) => ({
      actor,
      streams: {
        operationChanged: subscribe(t.url, actor.token, 'subscription { operationChanged { __typename id connector { id } } }'),
        recordChanged: subscribe(t.url, actor.token, 'subscription { recordChanged { __typename id product { id } } }'),
        alertAdded: subscribe(t.url, actor.token, 'subscription { alertAdded { __typename id } }'),
        deliveryChanged: subscribe(t.url, actor.token, 'subscription { deliveryChanged { __typename id status } }'),
      },
    }));
    // every logged-in actor's three subscriptions, and the superusers' delivery log, are in place before the first event
    const expected = nonAnonymous().length * 3 + actors.filter((a) => a.superuser).length;
    for (let tries = 0; ; tries++) {
      const gauge = /^tributary_live_subscriptions (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text());
      if (Number(gauge?.[1]) >= expected) break;
      if (tries > 200) throw new Error(`only ${gauge?.[1]} of ${expected} subscriptions opened`);
      await sleep(50);
    }
    const [connector] = await rows('SELECT id FROM "Connector" ORDER BY id LIMIT 1');
    const [op] = await rows(`INSERT INTO "Operation" ("connectorId", type, trigger) VALUES ($1, 'DISCOVER', 'MANUAL') RETURNING id`, [connector.id]);
    const [rec] = await rows(`UPDATE "Record" SET name = 'renamed' WHERE "productId" = $1 RETURNING id`, [p1]);
    const [delivery] = await rows(`INSERT INTO "Delivery" (event, method, payload, status) VALUES ('other', 'MAIL', '{}', 'DEAD') RETURNING id`);
    for (const a of actors) if (a.userId) await sql.query(`INSERT INTO "Alert" ("userId", event, title) VALUES ($1, 'other', 'live')`, [a.userId]);
    await loadOracle();
    // every stream that should get an event has it (each stream reloads on its own, so under load
    // one actor's alert may arrive before its operation), then a moment for any that should not
    const due = ({ actor, streams }: (typeof subs)[number]) => actor.userId !== null && (streams.alertAdded.events.length === 0
      || (visible(actor, 'Operation', op.id) && streams.operationChanged.events.length === 0)
      || (visible(actor, 'Record', rec.id) && streams.recordChanged.events.length === 0)
      || (visible(actor, 'Delivery', delivery.id) && streams.deliveryChanged.events.length === 0));
    for (let tries = 0; subs.some(due) && tries < 400; tries++) await sleep(50);
    await sleep(300);
    for (const { actor, streams } of subs) {
      for (const [field, s] of Object.entries(streams)) {
        const at = `${actor.name} → ${field}`;
        if (actor.userId === null) { expect(s.errors.map((e) => e.extensions?.code), at).toContain('UNAUTHENTICATED'); continue; }
        const got = s.events.map((e) => ungid((e as Record<string, { id: string }>)[field]!.id));
        const expected = field === 'operationChanged' ? [{ type: 'Operation', id: op.id }] : field === 'recordChanged' ? [{ type: 'Record', id: rec.id }] : [];
        if (field === 'deliveryChanged') {
          // the outbox may have other deliveries of its own under way; this one reaches superusers only
          expect(got.some((x) => x.id === delivery.id), at).toBe(visible(actor, 'Delivery', delivery.id));
          if (!actor.superuser) expect(got, at).toEqual([]);
        } else if (field === 'alertAdded') {
          expect(got.length, at).toBe(1);
          expect(visible(actor, 'Alert', got[0]!.id), at).toBe(true);
        } else {
          expect(got, at).toEqual(expected.filter((x) => visible(actor, x.type, x.id)));
        }
        for (const e of s.errors) expect(['FORBIDDEN', 'UNAUTHENTICATED'], at).toContain(e.extensions?.code);
      }
    }
    await Promise.all(subs.flatMap((s) => Object.values(s.streams).map((x) => x.dispose())));
  });
});
