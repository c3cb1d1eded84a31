// STALE: a mapped record whose product, "Global Connectors" engagement or connector test is deleted
// turns STALE at once (database triggers, so every path counts), and remapping makes it GOOD again.
// The engagement and tests are created the way production creates them: by a SARIF-directory sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { startSarifDirectoryFake } from '../fakes/sarif-directory.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, states, type DiscoverApp } from '../support/connectors.ts';
import { CREATE_ENGAGEMENT, DELETE_PRODUCT, MAP_RECORD } from '../support/documents.ts';
import { projectsFor } from '../support/kinds.ts';

let t: DiscoverApp;
beforeAll(async () => { t = await startDiscoverApp(); });
afterAll(async () => { await t?.stop(); });

/** a product with its engagements and their tests */
const PRODUCT = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) {
      ... on Product {
        id name
        engagements(first: 10) { nodes { id name tests(first: 10) { nodes { id title connector { id } } } } }
      }
    }
  }`;
const DELETE_ENGAGEMENT = /* GraphQL */ `
  mutation($id: ID!) {
    deleteEngagement(input: { id: $id }) { deletedId }
  }`;
const DELETE_TEST = /* GraphQL */ `
  mutation($id: ID!) {
    deleteTest(input: { id: $id }) { deletedId }
  }`;

/** A tool with the given projects (one finding each), auto-mapped and synced: GOOD records with products, engagements and tests. */
async function syncedConnector(fake: SarifDirectoryFake, numbers: number[]) {
  fake.setProjects(projectsFor(fake.kind, numbers));
  for (const n of numbers) fake.setFindings(`app-${n}`, [{ id: `f-${n}`, title: `Finding ${n}`, severity: 'HIGH', filePath: 'src/a.ts', line: n, cwe: 79 }]);
  const c = await createConnector(t, fake, { autoMap: true });
  await discover(t, c.id);
  const sync = await runOperation(t, c.id, 'Sync');
  expect([sync.status, sync.error, sync.stats.recordsSynced]).toEqual(['SUCCEEDED', null, numbers.length]);
  return c;
}

async function productOf(connectorId: string, key: string) {
  const r = (await records(t, connectorId)).find((x) => x.vendorKey === key)!;
  return (await t.ok(PRODUCT, { id: r.product!.id })).node;
}

const recordId = async (connectorId: string, key: string) => (await records(t, connectorId)).find((x) => x.vendorKey === key)!.id;

describe('STALE', () => {
  let fake: SarifDirectoryFake;
  beforeAll(async () => { fake = await startSarifDirectoryFake(); });
  afterAll(async () => { await fake.close(); });

  it('when the product is deleted (GOOD and MISSING records alike); remapping makes it GOOD', async () => {
    const c = await syncedConnector(fake, [11, 12]);
    // app-12 goes MISSING first: a missing record's product can be deleted too
    fake.setProjects(projectsFor(fake.kind, [11]));
    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ 'app-11': 'GOOD', 'app-12': 'MISSING' });

    for (const key of ['app-11', 'app-12']) {
      const product = await productOf(c.id, key);
      await t.ok(DELETE_PRODUCT, { id: product.id });
    }
    expect(await states(t, c.id)).toEqual({ 'app-11': 'STALE', 'app-12': 'STALE' });
    // a discover leaves STALE alone: only a person resolves it
    fake.setProjects(projectsFor(fake.kind, [11, 12]));
    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ 'app-11': 'STALE', 'app-12': 'STALE' });

    const remapped = (await t.ok(MAP_RECORD, { i: { recordId: await recordId(c.id, 'app-11'), productName: 'app-11 again' } })).mapRecord.record;
    expect(remapped).toMatchObject({ state: 'GOOD', product: { name: 'app-11 again' } });
  });

  it('when its "Global Connectors" engagement is deleted, and not for any other engagement', async () => {
    const c = await syncedConnector(fake, [21, 22]);
    const p21 = await productOf(c.id, 'app-21');
    const p22 = await productOf(c.id, 'app-22');
    const global21 = p21.engagements.nodes.find((e: any) => e.name === 'Global Connectors');
    expect(global21.tests.nodes).toEqual([{ id: expect.any(String), title: expect.any(String), connector: { id: c.id } }]);

    const other = (await t.ok(CREATE_ENGAGEMENT, { i: { productId: p22.id, name: 'Pen test' } })).createEngagement.engagement;
    await t.ok(DELETE_ENGAGEMENT, { id: other.id });
    expect(await states(t, c.id)).toEqual({ 'app-21': 'GOOD', 'app-22': 'GOOD' });

    await t.ok(DELETE_ENGAGEMENT, { id: global21.id });
    expect(await states(t, c.id)).toEqual({ 'app-21': 'STALE', 'app-22': 'GOOD' });

    const remapped = (await t.ok(MAP_RECORD, { i: { recordId: await recordId(c.id, 'app-21'), productId: p21.id } })).mapRecord.record;
    expect(remapped).toMatchObject({ state: 'GOOD', product: { id: p21.id, name: 'app-21' } });
  });

  it('when the connector\'s test is deleted, and only for that connector', async () => {
    const a = await syncedConnector(fake, [31]);
    // a second connector on the same directory auto-maps to the same product and gets its own test
    const b = await createConnector(t, fake, { autoMap: true });
    await discover(t, b.id);
    const syncB = await runOperation(t, b.id, 'Sync');
    expect(syncB.status).toBe('SUCCEEDED');
    const product = await productOf(a.id, 'app-31');
    expect((await productOf(b.id, 'app-31')).id).toBe(product.id);
    const tests = product.engagements.nodes.find((e: any) => e.name === 'Global Connectors').tests.nodes;
    expect(tests.map((x: any) => x.connector.id).sort()).toEqual([a.id, b.id].sort());

    const testOfA = tests.find((x: any) => x.connector.id === a.id);
    await t.ok(DELETE_TEST, { id: testOfA.id });
    expect((await states(t, a.id))['app-31']).toBe('STALE');
    expect((await states(t, b.id))['app-31']).toBe('GOOD');

    const remapped = (await t.ok(MAP_RECORD, { i: { recordId: await recordId(a.id, 'app-31'), productId: product.id } })).mapRecord.record;
    expect(remapped.state).toBe('GOOD');
  });
});
