// Property-based fuzzing of every mutation's input, generated from the committed SDL
// (server/schema.graphql): a mutation added there is fuzzed without touching this file. Each call must
// answer 200 (or a deliberate 4xx), every error must carry one of the API's codes (never "Unexpected
// error."), and a call that failed must leave the database exactly as it found it (CONTRACT.md:
// "Nothing is half-written"). A failure prints fast-check's seed and path: FUZZ_SEED=<seed>
// FUZZ_PATH=<path> with `-t <mutation>` replays it; FUZZ_RUNS=<factor> runs longer; FUZZ_STATS=1 prints
// how many calls of each mutation succeeded (a mutation that never succeeds is fuzzed only at its door).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType,
  type GraphQLEnumType, type GraphQLField, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLOutputType,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';

const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../../server/schema.graphql'), 'utf8'));
const mutations = Object.values(schema.getMutationType()!.getFields());
const recordStates = (schema.getType('RecordState') as GraphQLEnumType).getValues().map((v) => v.value as string);

/** runs per mutation: 50, fewer where a call is slow (scrypt) or has side effects we must ration */
const RUNS: Record<string, number> = {
  // 20 failed logins per client address in 15 minutes are throttled (login-throttle.ts); shrinking needs some spare
  login: 8,
  // scrypt, ~45 ms a success
  createUser: 25,
};
const DEFAULT_RUNS = 50;
const RUN_FACTOR = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const PATH = process.env.FUZZ_PATH;

/** codes the API answers with; yoga adds GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED before execution */
const ALLOWED_CODES = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX', 'TOO_MANY_REQUESTS',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST',
]);

const gid = (type: string, id: number | string) => Buffer.from(`${type}:${id}`).toString('base64');

/** A placeholder resolved just before the call: a fixture value (the fixture may have been re-created), a fresh unique name, or a value too deep to print. */
class Ref {
  constructor(readonly kind: string) {}
  [fc.toStringMethod]() { return `ref(${this.kind})`; }
}

let t: TestApp;
let db: pg.Client;
let admin: string;
let member: string;
let snapshotSql: string;
/** the only endpoint that answers a webhook ping 2xx */
let hooks: WebhookReceiver;
/** the fixture's numeric ids (re-created lazily when a fuzzed delete removed them) and the throwaway token */
const fx = { Product: 0, Engagement: 0, Test: 0, Finding: 0, FindingNote: 0, Connector: 0, Record: 0, ProductMember: 0, User: 0, Admin: 0, Webhook: 0, token: '', tokenId: 0 };
/** realistic strings from the running app (kind ids, option names) mixed into every String */
let vocabulary: string[] = [];
let serial = 0;

async function gql(query: string, variables: Record<string, unknown>, token?: string) {
  const r = await t.gql(query, variables, token ?? admin);
  if (r.errors) throw new Error(`fixture: ${query}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

const CONNECTOR = { url: 'https://api.github.com', options: { organization: 'o' } };

/** Checks the fixture in one query and re-creates what a successful fuzzed delete removed. */
async function ensureFixture() {
  const { rows: [e] } = await db.query(`select
      exists(select 1 from "Product" where id = $1) as "Product", exists(select 1 from "Engagement" where id = $2) as "Engagement",
      exists(select 1 from "Test" where id = $3) as "Test", exists(select 1 from "Finding" where id = $4) as "Finding",
      exists(select 1 from "FindingNote" where id = $5) as "FindingNote", exists(select 1 from "Connector" where id = $6) as "Connector",
      exists(select 1 from "Record" where id = $7) as "Record", exists(select 1 from "ProductMember" where id = $8 and role = 'WRITER') as "ProductMember",
      exists(select 1 from "ApiToken" where id = $9 and "revokedAt" is null) as token, exists(select 1 from "Webhook" where id = $10) as "Webhook"`,
  [fx.Product, fx.Engagement, fx.Test, fx.Finding, fx.FindingNote, fx.Connector, fx.Record, fx.ProductMember, fx.tokenId, fx.Webhook]);
  const n = ++serial;
  const num = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
  let fresh = false;
  if (!e.Product) {
    fx.Product = num((await gql('mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }', { i: { name: `fixture product ${n}` } })).createProduct.product.id);
    fresh = true;
  }
  if (fresh || !e.Engagement) {
    fx.Engagement = num((await gql('mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { engagement { id } } }', { i: { productId: gid('Product', fx.Product), name: `E${n}` } })).createEngagement.engagement.id);
    fresh = true;
  }
  if (fresh || !e.Test) {
    fx.Test = num((await gql('mutation($i: CreateTestInput!) { createTest(input: $i) { test { id } } }', { i: { engagementId: gid('Engagement', fx.Engagement), title: `T${n}` } })).createTest.test.id);
    fresh = true;
  }
  if (fresh || !e.Finding) {
    fx.Finding = num((await gql('mutation($i: CreateFindingInput!) { createFinding(input: $i) { finding { id } } }', { i: { testId: gid('Test', fx.Test), title: 'SQL injection', severity: 'HIGH' } })).createFinding.finding.id);
    fresh = true;
  }
  if (fresh || !e.FindingNote) {
    const f = await gql('mutation($i: AddFindingNoteInput!) { addFindingNote(input: $i) { finding { notes(first: 100) { nodes { id } } } } }', { i: { findingId: gid('Finding', fx.Finding), text: 'a note' } });
    fx.FindingNote = num(f.addFindingNote.finding.notes.nodes.at(-1).id);
  }
  if (!e.Product || !e.ProductMember) {
    const m = await gql('mutation($i: AddProductMemberInput!) { addProductMember(input: $i) { member { id } } }', { i: { productId: gid('Product', fx.Product), userId: gid('User', fx.User), role: 'WRITER' } });
    fx.ProductMember = num(m.addProductMember.member.id);
  }
  let freshConnector = false;
  if (!e.Connector) {
    const c = await gql('mutation($i: CreateConnectorInput!) { createConnector(input: $i) { connector { id } } }', {
      i: { name: `fixture connector ${n}`, kind: 'github', ...CONNECTOR, secret: 'x', discoverSchedule: null, syncSchedule: null },
    });
    fx.Connector = num(c.createConnector.connector.id);
    freshConnector = true;
  } else {
    // testConnector must never be pointed at a server a fuzzed update chose
    await db.query(`update "Connector" set url = $2, options = $3 where id = $1 and (url <> $2 or options <> $3::jsonb)`, [fx.Connector, CONNECTOR.url, CONNECTOR.options]);
  }
  if (freshConnector || !e.Record) {
    const r = await db.query(`insert into "Record" ("connectorId", "vendorKey", name, "updatedAt") values ($1, $2, $3, now()) returning id`, [fx.Connector, `repo-${n}`, `acme/repo-${n}`]);
    fx.Record = r.rows[0].id;
  }
  if (!e.Webhook) {
    fx.Webhook = (await db.query(`insert into "Webhook" (name, url, "updatedAt") values ($1, $2, now()) returning id`, [`fixture webhook ${n}`, hooks.url])).rows[0].id;
  } else {
    // testWebhook must never be pointed at a server a fuzzed update chose
    await db.query(`update "Webhook" set url = $2 where id = $1 and url <> $2`, [fx.Webhook, hooks.url]);
  }
  if (!e.token) {
    const tk = await gql('mutation { createApiToken(input: { name: "throwaway" }) { token id } }', {});
    fx.token = tk.createApiToken.token;
    fx.tokenId = Number(tk.createApiToken.id);
  }
}

/** The fixture types an ID argument may name, and the one a field most likely wants (`productId`, or the mutation's noun for `id`). */
const ID_TYPES = ['Product', 'Engagement', 'Test', 'Finding', 'FindingNote', 'Connector', 'Record', 'ProductMember', 'User', 'Admin', 'Webhook'] as const;
function expectedIdType(mutation: string, field: string): string | null {
  const byField = ID_TYPES.find((ty) => field.toLowerCase() === `${ty.toLowerCase()}id`);
  if (byField) return byField;
  if (field !== 'id') return null;
  return [...ID_TYPES].filter((ty) => mutation.includes(ty)).sort((a, b) => b.length - a.length)[0] ?? null;
}

function resolveRefs(value: unknown): unknown {
  if (value instanceof Ref) {
    if (value.kind === 'token') return fx.token;
    if (value.kind === 'unique') return `fuzz ${++serial}`;
    if (value.kind === 'email') return `fuzz${++serial}@example.com`;
    if (value.kind === 'webhookUrl') return hooks.url;
    const deep = /^(list|object) nested (\d+) deep$/.exec(value.kind);
    if (deep) return nested(Number(deep[2]), deep[1] === 'object');
    const ty = value.kind as (typeof ID_TYPES)[number];
    return ty === 'Admin' ? gid('User', fx.Admin) : gid(ty, fx[ty]);
  }
  if (Array.isArray(value)) return value.map(resolveRefs);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v)]));
  return value;
}

/**
 * Known-good inputs by input type, each fuzzed one field at a time so a run gets past the first
 * check and into the resolver's later ones; a type without an example is fuzzed field by field alone.
 */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  LoginInput: { email: ADMIN.email, password: ADMIN.password },
  CreateConnectorInput: { name: new Ref('unique'), kind: 'github', ...CONNECTOR, secret: 'x', discoverSchedule: null, syncSchedule: null },
  UpdateConnectorInput: { id: new Ref('Connector'), name: new Ref('unique'), secret: 'x' },
  CreateUserInput: { email: new Ref('email'), name: 'N', password: 'a long enough password' },
  CreateProductInput: { name: new Ref('unique'), description: 'd' },
  CreateEngagementInput: { productId: new Ref('Product'), name: new Ref('unique'), targetStart: '2024-01-01T00:00:00Z' },
  CreateFindingInput: { testId: new Ref('Test'), title: 'XSS', severity: 'LOW', vulnerabilityIds: ['CVE-2024-1'] },
  UpdateFindingInput: { id: new Ref('Finding'), title: 'XSS', isMitigated: true },
  MapRecordInput: { recordId: new Ref('Record'), productId: new Ref('Product') },
  AddProductMemberInput: { productId: new Ref('Product'), userId: new Ref('User'), role: 'READER' },
  CreateWebhookInput: { name: new Ref('unique'), url: new Ref('webhookUrl'), headerName: 'Authorization', headerValue: 'Token fuzz' },
  UpdateWebhookInput: { id: new Ref('Webhook'), name: new Ref('unique') },
};

// ───────────────────────────── arbitraries from the schema ─────────────────────────────
//
// Every input is drawn tame (each value of its GraphQL type, so a call gets past coercion and into the
// resolver and the database) or wild (wrong types, nulls for required fields, unknown enum values).
// Field names hint at realistic values (`kind`, `url`, `email`, `…Schedule`, `options`), taken where
// possible from the running app (connectorKinds), so a new field named alike is fed alike.

interface Mode { wild: boolean }

/** a value of the wrong GraphQL type: coercion must refuse it */
const junk = fc.constantFrom<unknown>(0, 1.5, -1, true, [], {}, 'x', [null], { a: 1 });

const NASTY = [
  '', ' ', '\t \n ', "'; DROP TABLE \"Product\"; --", "Robert'); --", '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
  '%s%n%x', '${7*7}', '{{7*7}}', '../../../etc/passwd', '\u202eevil', '\ud800', 'a\udfffb', '\uffff', '\u2028', '🦀', '👩‍👩‍👧‍👦', 'e\u0301',
  'null', '0', '-1', '1e400', 'NaN', '__proto__', 'CRITICAL', 'OWNER',
];
const WITH_NUL = ['\u0000', 'a\u0000b', '\u0000'.repeat(3)];
const CRON = ['* * * * *', '0 2 * * *', '*/15 * * * *', '61 * * * *', '@yearly', '*/0 * * * *', '0 0 31 2 *', '1-0 * * * *', '* * * * * *', ''];
const URLS = ['https://api.github.com', 'https://ghe.example.com/api/v3', 'https://sonar.example.com/', 'http://127.0.0.1:9/', 'https://[::1]/', 'http://169.254.169.254/latest', 'ftp://example.com', 'https://user:pw@example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://exa mple.com', 'https://' + 'a'.repeat(2_000) + '.com'];

/** realistic values by field name; filled in from connectorKinds once the app runs */
const hints: Array<[RegExp, fc.Arbitrary<unknown>]> = [];
function fieldHints(kinds: Array<{ id: string; fields: Array<{ name: string; type: string }> }>) {
  const optionFields = (k: (typeof kinds)[number]) => k.fields.filter((f) => f.name !== 'url' && f.name !== 'secret');
  const pathArb = fc.constantFrom(os.tmpdir(), path.join(os.tmpdir(), 'nope'), '.', '..', '../..', '/etc', '/', 'a/../../b', '');
  const options = fc.constantFrom(...kinds).chain((k) => fc.record(
    Object.fromEntries(optionFields(k).map((f) => [f.name, f.type === 'boolean' ? fc.boolean() : f.type === 'path' ? pathArb : fc.oneof(fc.constantFrom('o', 'acme', 'group/sub', '0b5b8e4a-0000-4000-8000-000000000000'), fc.string())])),
    { requiredKeys: [] },
  ));
  hints.splice(0, hints.length,
    [/^kind$/, fc.constantFrom(...kinds.map((k) => k.id), 'GitHub', 'nope')],
    [/url$/i, fc.constantFrom(...URLS)],
    [/email$/i, fc.oneof(fc.emailAddress(), fc.constant(new Ref('email')), fc.constantFrom(ADMIN.email, 'member@example.com', ' Upper@Example.COM ', 'a@b', '@', 'a@b.co'))],
    [/password$/i, fc.oneof(fc.constantFrom(ADMIN.password, 'short', 'p'.repeat(1_025)), fc.string({ minLength: 10, maxLength: 40 }))],
    [/schedule$/i, fc.constantFrom(...CRON)],
    [/^secret$/, fc.constantFrom('x', '', ' ', 's'.repeat(10_001))],
    [/^token$/, fc.constant(new Ref('token'))],
    [/^options$/, fc.oneof({ weight: 3, arbitrary: options }, { weight: 1, arbitrary: fc.constant(CONNECTOR.options) })],
  );
}

function stringArb(mode: Mode): fc.Arbitrary<unknown> {
  const nasty = mode.wild ? [...NASTY, ...WITH_NUL] : NASTY;
  const long = fc.tuple(fc.constantFrom(101, 201, 300, 501, 2_001, 25_000), fc.constantFrom('x', 'é', '🦀', ' ', "'", ...(mode.wild ? ['\u0000'] : [])))
    .map(([n, c]) => c.repeat(n));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string() },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => mode.wild || !s.includes('\0')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }).filter((s) => mode.wild || !s.includes('\0')) },
    { weight: 3, arbitrary: fc.constantFrom(...nasty) },
    { weight: 2, arbitrary: fc.constantFrom(...vocabulary) },
    { weight: 1, arbitrary: long },
    { weight: 1, arbitrary: fc.tuple(fc.string(), fc.constantFrom(...nasty), fc.string()).map((p) => p.join('')) },
  );
}

function intArb(mode: Mode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 1_000 }) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 100_000, 100_001, 2 ** 31 - 1, -(2 ** 31)) },
    // outside GraphQL's 32-bit Int: coercion refuses them
    { weight: mode.wild ? 2 : 0, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1.5, 1e300) },
  );
}

function idArb(mode: Mode, expected: string | null): fc.Arbitrary<unknown> {
  const types = [...ID_TYPES, 'Operation', 'Nope'];
  const weird = fc.tuple(fc.constantFrom(...types, expected ?? 'Product'), fc.constantFrom<number | string>(0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 999_999, '99999999999999999999', 'abc', '1e3', '01', ' 1', '0x10', '1.0', '', '1:2'))
    .map(([ty, id]) => gid(ty === 'Admin' ? 'User' : ty, id));
  return fc.oneof(
    { weight: expected ? (mode.wild ? 4 : 12) : 1, arbitrary: fc.constant(new Ref(expected ?? 'Product')) },
    { weight: 3, arbitrary: fc.constantFrom(...ID_TYPES).map((ty) => new Ref(ty)) },
    { weight: 2, arbitrary: weird },
    { weight: 1, arbitrary: fc.string().map((s) => Buffer.from(s).toString('base64')) },
    { weight: 1, arbitrary: stringArb(mode) },
    { weight: 1, arbitrary: fc.integer() },
  );
}

function dateTimeArb(mode: Mode): fc.Arbitrary<unknown> {
  const valid = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
  const edge = fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00+14:00', '2024-02-29T23:59:60Z', '1900-01-01T00:00:00.123456789Z');
  if (!mode.wild) return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: edge });
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom('2024-02-30T00:00:00Z', '2024-01-01', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', 'yesterday', '') },
    { weight: 1, arbitrary: stringArb(mode) },
    { weight: 1, arbitrary: fc.integer() },
  );
}

/** `[[[…]]]` and `{"a":{"a":…}}`, built without recursion: past the variables' depth limit, and past what a recursive parser survives */
function nested(depth: number, object: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = object ? { a: v } : [v];
  return v;
}
const DEEP = [70, 2_500].flatMap((depth) => [new Ref(`list nested ${depth} deep`), new Ref(`object nested ${depth} deep`)]);

function jsonArb(mode: Mode): fc.Arbitrary<unknown> {
  const keys = fc.oneof(fc.constantFrom(...vocabulary), fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', ...(mode.wild ? ['a\u0000'] : [])));
  const leaf = fc.oneof(stringArb(mode), fc.boolean(), fc.constant(null), intArb(mode), fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(keys, leaf, { maxKeys: 4 }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>({}, [], 'x', 0) },
    { weight: mode.wild ? 1 : 0, arbitrary: fc.constantFrom(...DEEP) },
  );
}

function scalarArb(type: GraphQLInputType, mode: Mode, mutation: string, field: string): fc.Arbitrary<unknown> {
  if (isEnumType(type)) {
    const values = fc.constantFrom(...type.getValues().map((v) => v.value as string));
    return mode.wild ? fc.oneof({ weight: 3, arbitrary: values }, { weight: 1, arbitrary: fc.constantFrom('NOPE', 'critical', '', 'OWNER ') }) : values;
  }
  const hint = hints.find(([re]) => re.test(field))?.[1];
  const plain = ((): fc.Arbitrary<unknown> => {
    switch ((type as { name?: string }).name) {
      case 'String': return stringArb(mode);
      case 'ID': return idArb(mode, expectedIdType(mutation, field));
      case 'Int': return intArb(mode);
      case 'Float': return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), intArb(mode));
      case 'Boolean': return fc.boolean();
      case 'DateTime': return dateTimeArb(mode);
      case 'JSON': return jsonArb(mode);
      default: return fc.jsonValue();
    }
  })();
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: plain }) : plain;
}

const OMIT = Symbol('omitted');

/** a non-null value of `type` (lists and input objects recursively) */
function valueArb(type: GraphQLInputType, mode: Mode, mutation: string, field: string): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = inputArb(type.ofType as GraphQLInputType, mode, mutation, field);
    return fc.oneof({ weight: 6, arbitrary: fc.array(item, { maxLength: 5 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: 95, maxLength: 130 }) }, { weight: mode.wild ? 1 : 0, arbitrary: item });
  }
  if (isInputObjectType(type)) return objectArb(type, mode, mutation);
  return scalarArb(type, mode, mutation, field);
}

/** any value for a field of `type`: null where allowed, and wrong types in wild runs */
function inputArb(type: GraphQLInputType, mode: Mode, mutation: string, field: string): fc.Arbitrary<unknown> {
  const required = isNonNullType(type);
  const value = valueArb(required ? type.ofType : type, mode, mutation, field);
  return fc.oneof({ weight: 8, arbitrary: value }, { weight: required && !mode.wild ? 0 : 1, arbitrary: fc.constant(null) }, { weight: mode.wild ? 1 : 0, arbitrary: junk });
}

/** optional fields left out half the time (wild runs leave out required ones too); a known-good example with one field changed, where there is one */
function objectArb(type: GraphQLInputObjectType, mode: Mode, mutation: string): fc.Arbitrary<unknown> {
  const fields = Object.values(type.getFields());
  const entries = fields.map((f) => {
    const value = inputArb(f.type, mode, mutation, f.name);
    const omittable = !isNonNullType(f.type) || f.defaultValue !== undefined || mode.wild;
    const weightOmit = !omittable ? 0 : isNonNullType(f.type) ? 1 : 8;
    return fc.oneof({ weight: 8, arbitrary: value }, { weight: weightOmit, arbitrary: fc.constant(OMIT) }).map((v) => [f.name, v] as const);
  });
  const free = fc.tuple(...entries).map((kv) => Object.fromEntries(kv.filter(([, v]) => v !== OMIT)));
  const example = EXAMPLES[type.name];
  if (!example) return free;
  const changed = fc.constantFrom(...fields).chain((f) => inputArb(f.type, mode, mutation, f.name).map((v) => ({ ...example, [f.name]: v })));
  return fc.oneof({ weight: 2, arbitrary: free }, { weight: 3, arbitrary: changed }, { weight: 1, arbitrary: fc.constant(example) });
}

/** mostly tame calls, which reach the resolvers; a third wild ones, which test coercion and validation */
const callInput = (type: GraphQLInputType, mutation: string) =>
  fc.oneof({ weight: 2, arbitrary: inputArb(type, { wild: false }, mutation, 'input') }, { weight: 1, arbitrary: inputArb(type, { wild: true }, mutation, 'input') });

// ───────────────────────────── calls ─────────────────────────────

/** `value` written as a GraphQL literal (object keys that are not names are renamed: literals cannot spell them) */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Ref) {
    // written out without recursion: this side's stack must survive what the server's parser may not
    const deep = /^(list|object) nested (\d+) deep$/.exec(value.kind);
    if (deep) return deep[1] === 'list' ? `${'['.repeat(Number(deep[2]))}1${']'.repeat(Number(deep[2]))}` : `${'{a: '.repeat(Number(deep[2]))}1${'}'.repeat(Number(deep[2]))}`;
    return literal(resolveRefs(value), type);
  }
  const inner = isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, isListType(inner) ? inner.ofType : inner)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    return `{${Object.entries(value).map(([k, v], i) => `${/^[_A-Za-z]\w*$/.test(k) ? k : `k${i}`}: ${literal(v, fields[k]?.type ?? inner)}`).join(', ')}}`;
  }
  if (typeof value === 'string' && isEnumType(inner) && /^[_A-Za-z]\w*$/.test(value)) return value;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** the payload's leaves and one level of objects below it */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.length) continue;
    if (isLeafType(getNamedType(f.type))) parts.push(f.name);
    else if (depth === 0) parts.push(`${f.name} ${selection(f.type, 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

async function post(query: string, variables: Record<string, unknown>, token: string | null) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null = null;
  try { body = JSON.parse(text); } catch { /* reported below */ }
  return { status: res.status, text, body };
}

/** rows of every table, hashed: what a failed mutation must leave unchanged */
async function snapshot(): Promise<Record<string, string>> {
  const { rows } = await db.query(snapshotSql);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.count}:${r.hash}`]));
}

async function buildSnapshotSql() {
  // throttle counters, heartbeats and "last used" stamps change on reads and failed logins by design
  const skip = new Set(['_prisma_migrations', 'LoginThrottle', 'WorkerHeartbeat', 'migrations', '_private_known_crontabs', '_private_workers']);
  const volatile = ['lastUsedAt', 'expiresAt'];
  const { rows } = await db.query(`select table_schema as schema, table_name as name, bool_or(column_name = 'id') as has_id
    from information_schema.columns where table_schema in ('public', 'graphile_worker') group by 1, 2 order by 1, 2`);
  const tables = rows.filter((r) => !skip.has(r.name) && !r.name.startsWith('_prisma'));
  expect(tables.map((r) => r.name)).toEqual(expect.arrayContaining(['Product', 'Finding', 'Record', 'Operation', 'User']));
  snapshotSql = tables.map((r) => {
    const row = `(to_jsonb(x) ${volatile.map((c) => `- '${c}'`).join(' ')})::text`;
    return `select '${r.schema}.${r.name}' as name, count(*)::int as count, md5(coalesce(string_agg(${row}, ',' order by ${r.has_id ? 'x.id' : row}), '')) as hash from "${r.schema}"."${r.name}" x`;
  }).join('\nunion all\n');
}

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  hooks = await startWebhookReceiver();
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  admin = await t.login();
  await buildSnapshotSql();
  const kinds = await gql('{ connectorKinds { id fields { name type } } viewer { id } }', {});
  fx.Admin = Number(Buffer.from(kinds.viewer.id, 'base64').toString().split(':')[1]);
  vocabulary = [...new Set(kinds.connectorKinds.flatMap((k: { id: string; fields: Array<{ name: string }> }) => [k.id, ...k.fields.map((f) => f.name)]))] as string[];
  fieldHints(kinds.connectorKinds);
  const memberPassword = 'member password 123';
  const u = await gql('mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { email: 'member@example.com', name: 'Member', password: memberPassword } });
  fx.User = Number(Buffer.from(u.createUser.user.id, 'base64').toString().split(':')[1]);
  member = await t.login('member@example.com', memberPassword);
  await ensureFixture();
});

afterAll(async () => {
  await db?.end();
  await t?.stop();
  await hooks?.close();
});

function check(name: string, res: Awaited<ReturnType<typeof post>>) {
  expect(res.status, `${name}: HTTP ${res.status} ${res.text.slice(0, 500)}`).toBeLessThan(500);
  expect(res.status === 200 || (res.status >= 400 && res.status < 500), `${name}: HTTP ${res.status}`).toBe(true);
  expect(res.body, `${name}: not JSON: ${res.text.slice(0, 500)}`).not.toBeNull();
  for (const e of res.body!.errors ?? []) {
    // graphql-js's variable coercion errors ("Variable "$input" got invalid value … at "input.name"; …")
    // name the field and the problem but carry no code: yoga passes them through as they are (past
    // 50 of them it adds "Too many errors processing variables" after the 50)
    const code = e.extensions?.code ?? (/^Variable "\$\w+" |^Too many errors processing variables/.test(e.message) ? 'BAD_USER_INPUT' : undefined);
    expect(e.message, `${name}: ${JSON.stringify(e).slice(0, 800)}`).not.toBe('Unexpected error.');
    expect(ALLOWED_CODES.has(code ?? ''), `${name}: error without an API code: ${JSON.stringify(e).slice(0, 800)}`).toBe(true);
  }
}

describe('every mutation, fuzzed from the schema', () => {
  it('finds the mutations in the committed schema', () => {
    expect(mutations.length).toBeGreaterThan(20);
  });

  for (const field of mutations as Array<GraphQLField<unknown, unknown>>) {
    const inputArg = field.args.find((a) => a.name === 'input');
    const runs = Math.max(1, Math.round((RUNS[field.name] ?? DEFAULT_RUNS) * RUN_FACTOR));

    if (!inputArg) {
      // no input to fuzz (logout): called with a throwaway token so the admin's session survives
      it(`${field.name} (no input) answers cleanly`, async () => {
        for (let i = 0; i < 3; i++) {
          await ensureFixture();
          const res = await post(`mutation { ${field.name} ${selection(field.type)} }`, {}, fx.token);
          check(field.name, res);
          expect(res.body!.errors, field.name).toBeUndefined();
        }
        await post('{ viewer { id } }', {}, admin).then((r) => expect(r.body?.data?.viewer).toBeTruthy());
      });
      continue;
    }

    it(`${field.name}: never a 500, an unexpected error or a half-written row (${runs} runs)`, async () => {
      const arbitrary = fc.record({
        input: callInput(inputArg.type, field.name),
        inline: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        // the record's state decides what map/ignore/restore may do: every state gets its turn
        recordState: fc.constantFrom(...recordStates),
        caller: fc.oneof({ weight: 8, arbitrary: fc.constant('admin' as const) }, { weight: 1, arbitrary: fc.constant('member' as const) }, { weight: 1, arbitrary: fc.constant('anonymous' as const) }),
      });
      const sel = selection(field.type);
      let succeeded = 0;
      await fc.assert(fc.asyncProperty(arbitrary, async ({ input: symbolic, inline, caller, recordState }) => {
        await ensureFixture();
        await db.query('update "Record" set state = $2 where id = $1 and state <> $2', [fx.Record, recordState]);
        const input = inline ? null : resolveRefs(symbolic);
        const query = inline
          ? `mutation { ${field.name}(input: ${literal(symbolic, inputArg.type)}) ${sel} }`
          : `mutation($input: ${String(inputArg.type)}) { ${field.name}(input: $input) ${sel} }`;
        const token = caller === 'admin' ? admin : caller === 'member' ? member : null;
        const before = await snapshot();
        const res = await post(query, inline ? {} : { input }, token);
        check(field.name, res);
        const wrote = res.body!.data?.[field.name] != null;
        if (wrote) succeeded++;
        if (!wrote) {
          expect(res.body!.errors?.length, `${field.name}: no data and no error`).toBeGreaterThan(0);
          expect(await snapshot(), `${field.name}: failed with ${JSON.stringify(res.body!.errors).slice(0, 500)} but changed the database`).toEqual(before);
        }
      }), { numRuns: runs, seed: SEED, path: PATH });
      if (process.env.FUZZ_STATS) console.log(`${field.name}: ${succeeded} of ${runs} calls succeeded`);
      // the admin's session is never the fuzzer's to end
      expect((await post('{ viewer { id } }', {}, admin)).body?.data?.viewer, 'admin session lost').toBeTruthy();
    }, 180_000);
  }
});

// What the fuzzer found, pinned so a regression fails on every seed.
describe('the fuzzer\'s finds, pinned', () => {
  beforeEach(ensureFixture);
  const codes = (r: Awaited<ReturnType<typeof post>>) => (r.body?.errors ?? []).map((e) => e.extensions?.code ?? e.message.slice(0, 40));

  it('refuses a DateTime before year 1 (PostgreSQL has no year 0) in a variable and a literal', async () => {
    const variable = await post('mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { engagement { id } } }', { i: { productId: gid('Product', fx.Product), name: 'y0', targetEnd: '0000-01-01T00:00:00Z' } }, admin);
    expect(variable.body?.errors?.[0]?.message).toMatch(/i\.targetEnd.*earliest is 0001-01-01/);
    const lit = await post(`mutation { createEngagement(input: { productId: "${gid('Product', fx.Product)}", name: "y0", targetStart: "0000-06-01T00:00:00Z" }) { engagement { id } } }`, {}, admin);
    expect(codes(lit)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses an unpaired surrogate in a string and in a list of strings', async () => {
    for (const i of [{ testId: gid('Test', fx.Test), title: 'a\udfffb', severity: 'LOW' }, { testId: gid('Test', fx.Test), title: 't', severity: 'LOW', vulnerabilityIds: ['a\ud800'] }]) {
      const r = await post('mutation($i: CreateFindingInput!) { createFinding(input: $i) { finding { id } } }', { i }, admin);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.body?.errors?.[0]?.message).toMatch(/^\$i\.(title|vulnerabilityIds\[0\]): contains an unpaired UTF-16 surrogate/);
    }
  });

  it('takes a null description on createFinding as the default', async () => {
    const r = await post('mutation($i: CreateFindingInput!) { createFinding(input: $i) { finding { description } } }', { i: { testId: gid('Test', fx.Test), title: 't', severity: 'LOW', description: null } }, admin);
    expect(r.body?.data?.createFinding).toEqual({ finding: { description: '' } });
  });

  it('refuses deeply nested variables and literals with a 200 and a code, not a 500', async () => {
    // written by hand: JSON.stringify here would overflow this side's stack first
    const body = `{"query": "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }", "variables": {"i": {"name": "x"}, "unused": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body });
    expect(res.status).toBe(200);
    const deep = await res.json() as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    expect(deep.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(deep.errors?.[0]?.message).toMatch(/^\$unused(\[0\])+: nested deeper than 64 levels/);
    const lit = await post(`mutation { createProduct(input: { name: "x", description: ${'['.repeat(2_500)}1${']'.repeat(2_500)} }) { product { id } } }`, {}, admin);
    expect(lit.status).toBeLessThan(500);
    expect(codes(lit)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});
