// A finding a sync cannot import (bad input a kind handed over) is counted on the Operation with
// the record it came from and why, for the first 20; the rest of the report is imported as usual.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { sarifDirectoryKind } from '@tributary/server/connectors/sarif-directory.ts';
import type { NormalizedFinding } from '@tributary/server/connectors/kind.ts';
import { startSarifDirectoryFake, type SarifDirectoryFake } from '../fakes/sarif-directory.ts';
import type { FakeFinding } from '../fakes/fake.ts';
import { createConnector, discover, mapAllTo, runOperation, startDiscoverApp, type DiscoverApp } from '../support/connectors.ts';

const LATEST_SYNC = /* GraphQL */ `
  query($c: ID!) {
    node(id: $c) {
      ... on Connector {
        operations(first: 1, type: SYNC) { nodes { stats { findingsRejected } rejections { record reason } } }
      }
    }
  }`;

let t: DiscoverApp;
let fake: SarifDirectoryFake;
beforeAll(async () => {
  t = await startDiscoverApp();
  fake = await startSarifDirectoryFake();
  // the worker runs in this process: findings titled "Bad …" reach reimport with a severity no tool uses
  const fetchFindings = sarifDirectoryKind.fetchFindings.bind(sarifDirectoryKind);
  vi.spyOn(sarifDirectoryKind, 'fetchFindings').mockImplementation(async function* (ctx, vep) {
    for await (const page of fetchFindings(ctx, vep)) {
      yield page.map((f): NormalizedFinding => (f.title.startsWith('Bad') ? { ...f, severity: 'banana' as never } : f));
    }
  });
});
afterAll(async () => { vi.restoreAllMocks(); await fake?.close(); await t?.stop(); });

const f = (id: string, title = `Finding ${id}`): FakeFinding => ({ id, title, severity: 'HIGH', filePath: `src/${id}.ts`, line: 1 });

it('records the count and the first 20 reasons, each naming its record, on the Operation', async () => {
  fake.setProjects([{ key: 'api', name: 'api' }, { key: 'web', name: 'web' }]);
  fake.setFindings('api', [f('a'), f('bad-a', 'Bad a')]);
  fake.setFindings('web', [f('w'), ...Array.from({ length: 24 }, (_, i) => f(`bad-w${i}`, `Bad w${i}`))]);
  const c = await createConnector(t, fake, { name: 'Rejecting' });
  await discover(t, c.id);
  // both records in one product: one reimport of one combined report, rejections still told apart
  await mapAllTo(t, c.id, 'Platform');

  for (let run = 0; run < 2; run++) {
    const op = await runOperation(t, c.id, 'Sync');
    expect(op.status).toBe('SUCCEEDED');
    const [row] = await t.sql<{ stats: any }>('SELECT stats FROM "Operation" WHERE type = $1 ORDER BY id DESC LIMIT 1', ['SYNC']);
    expect(row!.stats).toMatchObject({ findingsNew: run === 0 ? 2 : 0, findingsUntouched: run === 0 ? 0 : 2, findingsRejected: 25 });
    const reason = 'unknown severity "banana"';
    expect(row!.stats.rejections).toEqual([{ record: 'api', reason }, ...Array.from({ length: 19 }, () => ({ record: 'web', reason }))]);
    // and through the API
    const api = await t.ok(LATEST_SYNC, { c: c.id });
    const latest = api.node.operations.nodes[0];
    expect(latest.stats.findingsRejected).toBe(25);
    expect(latest.rejections).toHaveLength(20);
    expect(latest.rejections[0]).toEqual({ record: 'api', reason });
  }

  const imports = await t.sql<{ rejectedCount: number; rejections: any[] }>('SELECT "rejectedCount", rejections FROM "TestImport" ORDER BY id');
  expect(imports.map((i) => [i.rejectedCount, i.rejections.length])).toEqual([[25, 20], [25, 20]]);
  // the index is the finding's position in the product's combined report
  expect(imports[0]!.rejections.slice(0, 2)).toEqual([
    { index: 1, service: 'api', reason: 'unknown severity "banana"' },
    { index: 3, service: 'web', reason: 'unknown severity "banana"' },
  ]);
});
