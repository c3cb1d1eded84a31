// The record state machine driven through GraphQL and the worker (DESIGN.md "Record states"):
// auto-mapping, renames by stable key, MISSING only after a complete discover, IGNORED kept,
// restore, delete (keeping the data), and mapping by product id or name.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SonarqubeFake } from '../fakes/sonarqube.ts';
import { startSonarqubeFake } from '../fakes/sonarqube.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, states, type DiscoverApp } from '../support/connectors.ts';
import { CREATE_PRODUCT, IGNORE_RECORD, MAP_RECORD, UPDATE_CONNECTOR } from '../support/documents.ts';
import { firstError } from '../support/graphql.ts';
import { keyFor, projectsFor } from '../support/kinds.ts';

let t: DiscoverApp;
let fake: SonarqubeFake;
beforeAll(async () => { t = await startDiscoverApp(); });
afterAll(async () => { await t?.stop(); });
beforeEach(async () => {
  fake = await startSonarqubeFake();
  return () => fake.close();
});

const key = (n: number) => keyFor('sonarqube', n);
const RESTORE_RECORD = /* GraphQL */ `
  mutation($r: ID!) {
    restoreRecord(input: { recordId: $r }) { record { id state product { id } } }
  }`;
const DELETE_RECORD = /* GraphQL */ `
  mutation($r: ID!) {
    deleteRecord(input: { recordId: $r }) { deletedId }
  }`;
const byKey = async (connectorId: string, n: number) => (await records(t, connectorId)).find((r) => r.vendorKey === key(n))!;
const productNames = async () => (await t.sql<{ name: string }>('SELECT name FROM "Product" ORDER BY name')).map((r) => r.name);

describe('auto-mapping', () => {
  it('on: each new project becomes a product named after it, and the record GOOD', async () => {
    fake.setProjects([{ key: key(1), name: 'Billing API' }, { key: key(2), name: 'Checkout Web' }]);
    const c = await createConnector(t, fake, { autoMap: true });
    const op = await discover(t, c.id);
    expect(op.stats).toMatchObject({ recordsDiscovered: 2, recordsNew: 2, recordsMissing: 0 });
    const list = await records(t, c.id);
    expect(list.map((r) => [r.vendorKey, r.name, r.state, r.product?.name, r.finalizedAt])).toEqual([
      [key(1), 'Billing API', 'GOOD', 'Billing API', null],
      [key(2), 'Checkout Web', 'GOOD', 'Checkout Web', null],
    ]);
    expect(await productNames()).toEqual(expect.arrayContaining(['Billing API', 'Checkout Web']));
  });

  it('off: records stay NEW and no product is created', async () => {
    fake.setProjects([{ key: key(1), name: 'Unmapped One' }]);
    const before = await productNames();
    const c = await createConnector(t, fake, { autoMap: false });
    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'NEW' });
    expect(await productNames()).toEqual(before);
  });
});

describe('the tool changes', () => {
  it('a rename keeps the record and its state; a removed project goes MISSING only after a complete discover, and GOOD when back', async () => {
    fake.setProjects(projectsFor('sonarqube', [1, 2, 3]));
    const c = await createConnector(t, fake);
    await discover(t, c.id);
    const mapped = await byKey(c.id, 1);
    await t.ok(MAP_RECORD, { i: { recordId: mapped.id, productName: 'Renames' } });

    fake.setProjects([{ key: key(1), name: 'app-1 renamed' }, { key: key(2), name: 'app-2 renamed' }, { key: key(3), name: 'app-3' }]);
    await discover(t, c.id);
    const renamed = await records(t, c.id);
    expect(renamed.map((r) => [r.vendorKey, r.name, r.state])).toEqual([[key(1), 'app-1 renamed', 'GOOD'], [key(2), 'app-2 renamed', 'NEW'], [key(3), 'app-3', 'NEW']]);
    expect(renamed.find((r) => r.vendorKey === key(1))!.id).toBe(mapped.id);

    // projects 1 and 2 are gone, but the listing fails on its second page: nothing may change
    fake.setProjects([{ key: key(3), name: 'app-3' }, { key: key(4), name: 'app-4' }]);
    fake.setPageSizeCap(1);
    fake.failNext(5, { status: 503, retryAfter: 0, pathIncludes: 'p=2' });
    const failed = await runOperation(t, c.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toContain('503 from SonarQube');
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'GOOD', [key(2)]: 'NEW', [key(3)]: 'NEW' });

    const complete = await discover(t, c.id);
    expect(complete.stats).toMatchObject({ recordsDiscovered: 2, recordsNew: 1, recordsMissing: 1 });
    // only a mapped record can go missing; an unmapped one just stops being seen
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'MISSING', [key(2)]: 'NEW', [key(3)]: 'NEW', [key(4)]: 'NEW' });

    fake.setProjects(projectsFor('sonarqube', [1, 3, 4]));
    await discover(t, c.id);
    const back = await byKey(c.id, 1);
    expect([back.id, back.state, back.product?.name]).toEqual([mapped.id, 'GOOD', 'Renames']);
  });

  it('discover never touches an IGNORED record, even with auto-map on; restore makes it NEW', async () => {
    fake.setProjects(projectsFor('sonarqube', [1]));
    const c = await createConnector(t, fake, { autoMap: false });
    await discover(t, c.id);
    const r = await byKey(c.id, 1);
    expect((await t.ok(IGNORE_RECORD, { r: r.id })).ignoreRecord.record).toEqual({ id: r.id, state: 'IGNORED', product: null });
    await t.ok(UPDATE_CONNECTOR, { i: { id: c.id, autoMap: true } });

    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'IGNORED' });
    fake.setProjects([]);
    expect((await discover(t, c.id)).stats).toMatchObject({ recordsDiscovered: 0, recordsMissing: 0 });
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'IGNORED' });

    fake.setProjects(projectsFor('sonarqube', [1]));
    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ [key(1)]: 'IGNORED' });

    const notIgnored = firstError(await t.gql(RESTORE_RECORD, { r: (await createAndDiscoverNew()).id }, t.token));
    expect(notIgnored).toEqual({ code: 'BAD_USER_INPUT', fields: ['recordId'], message: 'recordId: only an IGNORED record can be restored (this one is NEW)' });
    expect((await t.ok(RESTORE_RECORD, { r: r.id })).restoreRecord.record).toEqual({ id: r.id, state: 'NEW', product: null });
    // with auto-map on, the next discover maps it again
    await discover(t, c.id);
    expect((await byKey(c.id, 1)).state).toBe('GOOD');
  });

  async function createAndDiscoverNew() {
    const other = await startSonarqubeFake();
    try {
      other.setProjects([{ key: 'other:x', name: 'other-x' }]);
      const c = await createConnector(t, other);
      await discover(t, c.id);
      return (await records(t, c.id))[0]!;
    } finally {
      await other.close();
    }
  }
});

describe('deleting a record', () => {
  it('keeps the product, engagement, test and findings; the next discover finds the project as NEW', async () => {
    fake.setProjects(projectsFor('sonarqube', [1]));
    fake.setFindings(key(1), [
      { id: 'AX-1', title: 'SQL injection', severity: 'HIGH', filePath: 'src/db.ts', line: 3, cwe: 89 },
      { id: 'AX-2', title: 'XSS', severity: 'MEDIUM', filePath: 'src/view.ts', line: 9, cwe: 79 },
    ]);
    const c = await createConnector(t, fake);
    await discover(t, c.id);
    const r = await byKey(c.id, 1);
    const product = (await t.ok(MAP_RECORD, { i: { recordId: r.id, productName: 'Kept After Delete' } })).mapRecord.record.product;
    const sync = await runOperation(t, c.id, 'Sync');
    expect([sync.status, sync.error, sync.stats.findingsNew]).toEqual(['SUCCEEDED', null, 2]);
    const counts = () => t.sql(`SELECT (SELECT count(*)::int FROM "Engagement" e WHERE e."productId" = p.id) engagements,
        (SELECT count(*)::int FROM "Test" x JOIN "Engagement" e ON e.id = x."engagementId" WHERE e."productId" = p.id) tests,
        (SELECT count(*)::int FROM "Finding" f JOIN "Test" x ON x.id = f."testId" JOIN "Engagement" e ON e.id = x."engagementId" WHERE e."productId" = p.id) findings
      FROM "Product" p WHERE p.name = 'Kept After Delete'`);
    expect(await counts()).toEqual([{ engagements: 1, tests: 1, findings: 2 }]);

    expect((await t.ok(DELETE_RECORD, { r: r.id })).deleteRecord.deletedId).toBe(r.id);
    expect(await records(t, c.id)).toEqual([]);
    expect(await counts()).toEqual([{ engagements: 1, tests: 1, findings: 2 }]);
    expect((await t.ok('query($id: ID!) { node(id: $id) { ... on Product { name } } }', { id: product.id })).node).toEqual({ name: 'Kept After Delete' });

    const again = await discover(t, c.id);
    expect(again.stats).toMatchObject({ recordsNew: 1 });
    const fresh = await byKey(c.id, 1);
    expect(fresh.id).not.toBe(r.id);
    expect([fresh.state, fresh.product, fresh.finalizedAt]).toEqual(['NEW', null, null]);
  });
});

describe('mapRecord', () => {
  it('maps to an existing product by id or a new one by name, setting finalizedAt; a clash or a wrong combination is refused', async () => {
    fake.setProjects(projectsFor('sonarqube', [1, 2, 3]));
    const c = await createConnector(t, fake);
    await discover(t, c.id);
    const [r1, r2, r3] = await records(t, c.id);
    const existing = (await t.ok(CREATE_PRODUCT, { i: { name: 'Existing Product' } })).createProduct.product;

    const before = Date.now();
    const byId = (await t.ok(MAP_RECORD, { i: { recordId: r1!.id, productId: existing.id } })).mapRecord.record;
    expect(byId).toMatchObject({ id: r1!.id, state: 'GOOD', product: { id: existing.id, name: 'Existing Product' } });
    expect(Date.parse(byId.finalizedAt)).toBeGreaterThanOrEqual(before - 1000);

    const byName = (await t.ok(MAP_RECORD, { i: { recordId: r2!.id, productName: 'Brand New Product' } })).mapRecord.record;
    expect(byName).toMatchObject({ id: r2!.id, state: 'GOOD', product: { name: 'Brand New Product' } });
    expect(byName.finalizedAt).not.toBeNull();

    const productsBefore = await productNames();
    const clash = firstError(await t.gql(MAP_RECORD, { i: { recordId: r3!.id, productName: 'Existing Product' } }, t.token));
    expect(clash).toEqual({ code: 'BAD_USER_INPUT', fields: ['productName'], message: 'productName: a product named "Existing Product" already exists: map to it with productId' });
    const both = firstError(await t.gql(MAP_RECORD, { i: { recordId: r3!.id, productId: existing.id, productName: 'Another' } }, t.token));
    expect([both.code, both.message]).toEqual(['BAD_USER_INPUT', 'give exactly one of productId and productName']);
    const neither = firstError(await t.gql(MAP_RECORD, { i: { recordId: r3!.id } }, t.token));
    expect([neither.code, neither.message]).toEqual(['BAD_USER_INPUT', 'give exactly one of productId and productName']);
    expect(await productNames()).toEqual(productsBefore);
    expect(await byKey(c.id, 3)).toMatchObject({ state: 'NEW', product: null, finalizedAt: null });
  });
});
