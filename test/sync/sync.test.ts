// Sync end to end: GraphQL → worker → sarif-directory kind → reimport, into Product → "Global
// Connectors" → the connector's Test, with the outcome counts on the Operation.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { createConnector, discover, mapAllTo, records, runOperation, startDiscoverApp, updateConnector, type DiscoverApp } from '../support/connectors.ts';
import { IGNORE_RECORD, MAP_RECORD } from '../support/documents.ts';

/** every product down to its findings */
const PRODUCT_TREE = /* GraphQL */ `
  {
    products(first: 5) {
      nodes {
        name
        engagements(first: 5) {
          nodes {
            name
            tests(first: 5) {
              nodes {
                title connector { name }
                findings(first: 10) { totalCount nodes { uniqueIdFromTool severity active filePath line cwe } }
              }
            }
          }
        }
      }
    }
  }`;

/** the first product's first test's import history */
const IMPORTS = /* GraphQL */ `
  {
    products(first: 1) {
      nodes {
        engagements {
          nodes {
            tests {
              nodes {
                imports(first: 10) {
                  totalCount
                  nodes { newFindingIds closedFindingIds reactivatedFindingIds untouchedCount operation { type } }
                }
              }
            }
          }
        }
      }
    }
  }`;

let t: DiscoverApp;
let fake: SarifDirectoryFake;
beforeAll(async () => { t = await startDiscoverApp(); fake = await startSarifDirectoryFake(); });
afterAll(async () => { await fake?.close(); await t?.stop(); });

const f = (id: string, severity: FakeFinding['severity'] = 'HIGH', extra: Partial<FakeFinding> = {}): FakeFinding =>
  ({ id, title: `Finding ${id}`, severity, filePath: `src/${id}.ts`, line: 10, cwe: 79, ...extra });

async function productFindings(name: string) {
  return t.sql<{ uid: string; active: boolean; mitigated: boolean; service: string; title: string }>(
    `SELECT f."uniqueIdFromTool" uid, f.active, f."isMitigated" mitigated, f.service, f.title FROM "Finding" f
       JOIN "Test" te ON te.id = f."testId" JOIN "Engagement" e ON e.id = te."engagementId" JOIN "Product" p ON p.id = e."productId"
      WHERE p.name = $1 ORDER BY f."uniqueIdFromTool", f.service`, [name]);
}

const outcome = (op: any) => ({ status: op.status, new: op.stats.findingsNew, closed: op.stats.findingsClosed, reactivated: op.stats.findingsReactivated, untouched: op.stats.findingsUntouched, records: op.stats.recordsSynced });

describe('sync', () => {
  let connectorId: string;

  it('imports a mapped record into the product’s Global Connectors engagement, in the connector’s test', async () => {
    fake.setProjects([{ key: 'shop', name: 'shop' }, { key: 'unmapped', name: 'unmapped' }]);
    fake.setFindings('shop', [f('a'), f('b'), f('c', 'LOW')]);
    fake.setFindings('unmapped', [f('z')]);
    const c = await createConnector(t, fake, { name: 'Scanner' });
    connectorId = c.id;
    await discover(t, connectorId);
    const shop = (await records(t, connectorId)).find((r) => r.vendorKey === 'shop')!;
    await t.ok(MAP_RECORD, { i: { recordId: shop.id, productName: 'Shop' } });

    const op = await runOperation(t, connectorId, 'Sync');
    expect(outcome(op)).toEqual({ status: 'SUCCEEDED', new: 3, closed: 0, reactivated: 0, untouched: 0, records: 1 });
    const tree = await t.ok(PRODUCT_TREE);
    expect(tree.products.nodes).toHaveLength(1);
    const product = tree.products.nodes[0];
    expect(product.name).toBe('Shop');
    expect(product.engagements.nodes).toHaveLength(1);
    expect(product.engagements.nodes[0].name).toBe('Global Connectors');
    const test = product.engagements.nodes[0].tests.nodes[0];
    expect(test.title).toBe('SARIF directory — Scanner');
    expect(test.connector.name).toBe('Scanner');
    expect(test.findings.totalCount).toBe(3);
    expect(test.findings.nodes[0]).toEqual({ uniqueIdFromTool: 'a', severity: 'HIGH', active: true, filePath: 'src/a.ts', line: 10, cwe: 79 });
    // the unmapped (NEW) record is not synced
    expect(await t.sql('SELECT 1 FROM "Finding" WHERE "uniqueIdFromTool" = $1', ['z'])).toHaveLength(0);
    const events = await t.sql('SELECT name FROM "NotificationEvent" WHERE name LIKE $1 ORDER BY id', ['scan_added%']);
    expect(events.map((e) => e.name)).toEqual(['scan_added']);
  });

  it('closes what disappeared, adds what is new, reopens what came back, and closes nothing on an identical report', async () => {
    fake.setFindings('shop', [f('a'), f('b'), f('d')]);
    expect(outcome(await runOperation(t, connectorId, 'Sync'))).toEqual({ status: 'SUCCEEDED', new: 1, closed: 1, reactivated: 0, untouched: 2, records: 1 });
    expect((await productFindings('Shop')).map((x) => [x.uid, x.active, x.mitigated])).toEqual([['a', true, false], ['b', true, false], ['c', false, true], ['d', true, false]]);

    fake.setFindings('shop', [f('a'), f('b'), f('c', 'LOW'), f('d')]);
    expect(outcome(await runOperation(t, connectorId, 'Sync'))).toEqual({ status: 'SUCCEEDED', new: 0, closed: 0, reactivated: 1, untouched: 3, records: 1 });

    expect(outcome(await runOperation(t, connectorId, 'Sync'))).toEqual({ status: 'SUCCEEDED', new: 0, closed: 0, reactivated: 0, untouched: 4, records: 1 });
    const events = await t.sql('SELECT name FROM "NotificationEvent" WHERE name LIKE $1 ORDER BY id', ['scan_added%']);
    expect(events.map((e) => e.name)).toEqual(['scan_added', 'scan_added', 'scan_added', 'scan_added_empty']);
    const history = await t.sql<{ n: number; c: number; r: number; u: number }>(`SELECT cardinality("newIds") n, cardinality("closedIds") c,
      cardinality("reactivatedIds") r, cardinality("untouchedIds") u FROM "TestImport" ORDER BY id`);
    expect(history).toEqual([{ n: 3, c: 0, r: 0, u: 0 }, { n: 1, c: 1, r: 0, u: 2 }, { n: 0, c: 0, r: 1, u: 3 }, { n: 0, c: 0, r: 0, u: 4 }]);
    // the identical report was recorded from the import before it, without reading it (report-unchanged.ts)
    const prints = await t.sql<{ fp: string | null }>(`SELECT "reportFingerprint" fp FROM "TestImport" ORDER BY id`);
    expect(prints.every((p) => p.fp !== null) && prints[3]!.fp === prints[2]!.fp && prints[2]!.fp !== prints[1]!.fp).toBe(true);
    // the same history through the API, newest first, with the findings' global ids
    const imports = (await t.ok(IMPORTS)).products.nodes[0].engagements.nodes[0].tests.nodes[0].imports;
    expect(imports.totalCount).toBe(4);
    expect(imports.nodes.map((i: any) => [i.newFindingIds.length, i.closedFindingIds.length, i.reactivatedFindingIds.length, i.untouchedCount, i.operation.type]))
      .toEqual([[0, 0, 0, 4, 'SYNC'], [0, 0, 1, 3, 'SYNC'], [1, 1, 0, 2, 'SYNC'], [3, 0, 0, 0, 'SYNC']]);
    expect(imports.nodes[2].closedFindingIds).toEqual(imports.nodes[1].reactivatedFindingIds);
    expect(Buffer.from(imports.nodes[2].closedFindingIds[0], 'base64').toString()).toMatch(/^Finding:\d+$/);
  });

  it('raising the minimum severity closes lower findings; lowering it brings them back', async () => {
    await updateConnector(t, connectorId, { minimumSeverity: 'MEDIUM' });
    expect(outcome(await runOperation(t, connectorId, 'Sync'))).toMatchObject({ new: 0, closed: 1, untouched: 3 });
    expect((await productFindings('Shop')).find((x) => x.uid === 'c')).toMatchObject({ active: false, mitigated: true });
    await updateConnector(t, connectorId, { minimumSeverity: 'INFO' });
    expect(outcome(await runOperation(t, connectorId, 'Sync'))).toMatchObject({ new: 0, closed: 0, reactivated: 1, untouched: 3 });
  });

  it('a record whose fetch fails mitigates nothing and the operation says which one', async () => {
    fake.writeReport('shop', 'zz-broken.sarif', '{"version": "2.1.0", "runs": [', new Date(Date.now() + 60_000));
    const op = await runOperation(t, connectorId, 'Sync');
    expect(op.status).toBe('FAILED');
    expect(op.error).toMatch(/^shop: .*zz-broken\.sarif/);
    expect((await productFindings('Shop')).filter((x) => x.active)).toHaveLength(4);
  });

  it('records mapped to one product share the test without closing each other’s findings, even with equal fingerprints', async () => {
    const other = await startSarifDirectoryFake();
    try {
      other.setProjects([{ key: 'api', name: 'api' }, { key: 'web', name: 'web' }]);
      // the same fingerprint in both repositories: two findings, one per repository (service)
      other.setFindings('api', [f('shared'), f('api-only')]);
      other.setFindings('web', [f('shared'), f('web-only')]);
      const c = await createConnector(t, other, { name: 'Mono' });
      await discover(t, c.id);
      await mapAllTo(t, c.id, 'Platform');
      expect(outcome(await runOperation(t, c.id, 'Sync'))).toEqual({ status: 'SUCCEEDED', new: 4, closed: 0, reactivated: 0, untouched: 0, records: 2 });
      expect(outcome(await runOperation(t, c.id, 'Sync'))).toEqual({ status: 'SUCCEEDED', new: 0, closed: 0, reactivated: 0, untouched: 4, records: 2 });
      expect((await productFindings('Platform')).map((x) => [x.uid, x.service, x.active])).toEqual([
        ['api-only', 'api', true], ['shared', 'api', true], ['shared', 'web', true], ['web-only', 'web', true]]);
      const tests = await t.sql('SELECT count(*)::int n FROM "Test" te JOIN "Engagement" e ON e.id = te."engagementId" JOIN "Product" p ON p.id = e."productId" WHERE p.name = $1', ['Platform']);
      expect(tests[0].n).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('shows progress while running and skips records that are not GOOD', async () => {
    const recs = await records(t, connectorId);
    await t.ok(IGNORE_RECORD, { r: recs.find((r) => r.vendorKey === 'unmapped')!.id });
    rmSync(path.join(fake.root, 'shop', 'zz-broken.sarif'));
    fake.setFindings('shop', [f('a')]);
    const op = await runOperation(t, connectorId, 'Sync');
    expect(op.status).toBe('SUCCEEDED');
    const progress = (await t.ok('query($id: ID!) { node(id: $id) { ... on Operation { progress } } }', { id: op.id })).node.progress;
    expect(progress).toEqual({ recordsDone: 1, recordsTotal: 1, findings: 1 });
  });
});
