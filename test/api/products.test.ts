// The product hierarchy over GraphQL: CRUD, stable ordering, and bad input that names the field
// and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CREATE_ENGAGEMENT, CREATE_FINDING, CREATE_PRODUCT, CREATE_TEST, DELETE_PRODUCT } from '../support/documents.ts';
import { firstError } from '../support/graphql.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => { t = await startTestApp({ role: 'api' }); admin = await t.login(); });
afterAll(async () => { await t?.stop(); });

const FINDINGS_OF_PRODUCT = /* GraphQL */ `
  query($p: ID!) {
    findings(first: 10, filter: { productId: $p }) { totalCount nodes { title severity cwe vulnerabilityIds active } }
  }`;
/** one LOW finding of a test at a time */
const LOW_FINDINGS = /* GraphQL */ `
  query($t: ID!, $c: String) {
    findings(first: 1, after: $c, filter: { testId: $t, severities: [LOW] }) {
      totalCount pageInfo { hasNextPage endCursor } nodes { title }
    }
  }`;

const count = async (table: string) => (await t.sql(`SELECT count(*)::int n FROM "${table}"`))[0].n as number;

describe('products, engagements, tests, findings', () => {
  it('creates, reads with filters in a stable order, updates and deletes', async () => {
    const p = (await t.gql(CREATE_PRODUCT, { i: { name: 'Payments', description: 'PCI scope' } }, admin)).data.createProduct.product;
    const e = (await t.gql(CREATE_ENGAGEMENT, { i: { productId: p.id, name: 'Sprint 1' } }, admin)).data.createEngagement.engagement;
    expect(e.product.name).toBe('Payments');
    const test = (await t.gql(CREATE_TEST, { i: { engagementId: e.id, title: 'ZAP' } }, admin)).data.createTest.test;
    for (const [title, severity] of [['b', 'LOW'], ['a', 'CRITICAL'], ['c', 'LOW'], ['d', 'HIGH']]) {
      await t.ok(CREATE_FINDING, { i: { testId: test.id, title, severity, cwe: 79, vulnerabilityIds: ['CVE-2024-1'] } }, admin);
    }
    const list = await t.gql(FINDINGS_OF_PRODUCT, { p: p.id }, admin);
    expect(list.data.findings.totalCount).toBe(4);
    expect(list.data.findings.nodes.map((f: any) => f.title)).toEqual(['a', 'd', 'b', 'c']);
    expect(list.data.findings.nodes[0]).toEqual({ title: 'a', severity: 'CRITICAL', cwe: 79, vulnerabilityIds: ['CVE-2024-1'], active: true });
    const low = await t.gql(LOW_FINDINGS, { t: test.id }, admin);
    expect(low.data.findings).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ title: 'b' }] });
    const next = await t.gql(LOW_FINDINGS, { t: test.id, c: low.data.findings.pageInfo.endCursor }, admin);
    expect(next.data.findings).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [{ title: 'c' }] });

    const fid = (await t.gql('query($p: ID!) { findings(first: 1, filter: { productId: $p }) { nodes { id } } }', { p: p.id }, admin)).data.findings.nodes[0].id;
    const fp = await t.gql('mutation($f: ID!) { updateFinding(input: { id: $f, falsePositive: true }) { finding { falsePositive active } } }', { f: fid }, admin);
    expect(fp.data.updateFinding.finding).toEqual({ falsePositive: true, active: false });
    expect((await t.gql('query($p: ID!) { findings(first: 10, filter: { productId: $p, active: true }) { totalCount } }', { p: p.id }, admin)).data.findings.totalCount).toBe(3);

    const renamed = await t.gql('mutation($p: ID!) { updateProduct(input: { id: $p, name: "Payments API" }) { product { name } } }', { p: p.id }, admin);
    expect(renamed.data.updateProduct.product.name).toBe('Payments API');
    const del = await t.gql(DELETE_PRODUCT, { id: p.id }, admin);
    expect(del.data.deleteProduct.deletedId).toBe(p.id);
    expect(await count('Finding')).toBe(0);
  });
});

describe('bad input', () => {
  it('a duplicate name names the field and writes nothing', async () => {
    await t.gql(CREATE_PRODUCT, { i: { name: 'Dup' } }, admin);
    const before = await count('Product');
    const r = firstError(await t.gql(CREATE_PRODUCT, { i: { name: 'Dup' } }, admin));
    expect(r).toEqual({ code: 'BAD_USER_INPUT', fields: ['name'], message: 'name: a product named "Dup" already exists' });
    expect(await count('Product')).toBe(before);
  });

  it('over-long and blank strings are refused before anything is written', async () => {
    const before = await count('Product');
    const long = firstError(await t.gql(CREATE_PRODUCT, { i: { name: 'x'.repeat(201) } }, admin));
    expect(long.code).toBe('BAD_USER_INPUT');
    expect(long.message).toContain('input.name');
    expect(firstError(await t.gql(CREATE_PRODUCT, { i: { name: '   ' } }, admin)).message).toContain('must not be blank');
    expect(await count('Product')).toBe(before);
  });

  it('malformed and wrong-type ids name the field', async () => {
    const q = 'mutation($e: ID!) { createTest(input: { engagementId: $e, title: "t" }) { test { id } } }';
    expect(firstError(await t.gql(q, { e: 'not-an-id' }, admin))).toEqual({ code: 'BAD_USER_INPUT', fields: ['engagementId'], message: 'engagementId: "not-an-id" is not a valid Engagement id' });
    const productId = (await t.gql(CREATE_PRODUCT, { i: { name: 'Typed' } }, admin)).data.createProduct.product.id;
    expect(firstError(await t.gql(q, { e: productId }, admin)).message).toBe(`engagementId: "${productId}" is not a valid Engagement id`);
  });

  it('unknown enum values are rejected by validation', async () => {
    const r = await t.gql('{ findings(first: 1, filter: { severities: [SEVERE] }) { totalCount } }', {}, admin);
    expect(firstError(r).message).toMatch(/SEVERE/);
  });

  it('deleting twice says the thing is gone', async () => {
    const id = (await t.gql(CREATE_PRODUCT, { i: { name: 'Twice' } }, admin)).data.createProduct.product.id;
    expect((await t.gql(DELETE_PRODUCT, { id }, admin)).data.deleteProduct.deletedId).toBe(id);
    expect(firstError(await t.gql(DELETE_PRODUCT, { id }, admin))).toEqual({ code: 'NOT_FOUND', message: 'id: the product does not exist (or you cannot see it).' });
  });

  it('over-deep queries are refused', async () => {
    const deep = '{ products(first: 1) { nodes { engagements { nodes { product { engagements { nodes { product { engagements { nodes { product { engagements { nodes { product { name } } } } } } } } } } } } } } }';
    expect(firstError(await t.gql(deep, {}, admin)).message).toMatch(/depth/i);
  });
});
