// Every connector kind, through its fake, over GraphQL and the real worker: create a connector,
// discover, and read back records, operation stats and the operations list; the secret never
// comes back out of the API. Plus a multi-page listing through the whole stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTool } from '../fakes/fake.ts';
import { fakes } from '../fakes/index.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, type DiscoverApp } from '../support/connectors.ts';
import { CONNECTOR_FIELDS, CONNECTOR_OPERATIONS } from '../support/documents.ts';
import { projectsFor, projectsOf } from '../support/kinds.ts';

/** a connector with its records and operations, everything a secret could leak through */
const CONNECTOR_WITH_LISTS = /* GraphQL */ `
  query($id: ID!) {
    node(id: $id) {
      ... on Connector {
        ${CONNECTOR_FIELDS}
        records(first: 10) { nodes { id vendorKey name state metadata } }
        operations(first: 10) { totalCount nodes { id type status error } }
      }
    }
  }`;
const CONNECTORS = /* GraphQL */ `{ connectors(first: 50) { nodes { ${CONNECTOR_FIELDS} } } }`;

let t: DiscoverApp;
beforeAll(async () => { t = await startDiscoverApp(); });
afterAll(async () => { await t?.stop(); });

describe.each(Object.keys(fakes))('%s through GraphQL', (kindId) => {
  let fake: FakeTool;
  beforeAll(async () => { fake = await fakes[kindId]!(); });
  afterAll(async () => { await fake?.close(); });

  it('discovers one NEW record per project, keyed by the tool\'s key, with stats and a write-only secret', async () => {
    const projects = projectsOf(fake, [1, 2, 3]);
    fake.setProjects(projects);
    const created = await createConnector(t, fake);
    const isHttp = kindId !== 'sarif-directory';
    expect(created).toMatchObject({ kind: kindId, url: fake.url, hasSecret: isHttp, options: fake.options, autoMap: false });

    const op = await discover(t, created.id);
    expect(op).toMatchObject({ type: 'DISCOVER', status: 'SUCCEEDED', trigger: 'MANUAL', error: null });
    expect(op.stats).toEqual({ recordsDiscovered: 3, recordsNew: 3, recordsMissing: 0, recordsSynced: 0, findingsNew: 0, findingsClosed: 0, findingsReactivated: 0, findingsUntouched: 0 });
    expect(Date.parse(op.endedAt) - Date.parse(op.startedAt)).toBe(op.durationMs);

    const list = await records(t, created.id);
    expect(list.map((r) => r.vendorKey).sort()).toEqual(projects.map((p) => p.key).sort());
    expect(list.every((r) => r.state === 'NEW' && r.product === null && r.finalizedAt === null)).toBe(true);
    // every kind names the record after the project (GitHub/GitLab may prefix the namespace)
    // Security Hub names no account (DescribeHub, ListMembers): its records are "<account> (<region>)"
    for (const p of projects) expect(list.find((r) => r.vendorKey === p.key)!.name).toContain(kindId === 'aws-securityhub' ? p.key.split('/')[0] : p.name);

    // a second discover finds nothing new
    const again = await discover(t, created.id);
    expect(again.stats).toMatchObject({ recordsDiscovered: 3, recordsNew: 0, recordsMissing: 0 });
    expect((await records(t, created.id)).map((r) => r.id)).toEqual(list.map((r) => r.id));

    const all = await t.ok(CONNECTOR_WITH_LISTS, { id: created.id });
    expect(all.node.operations.nodes.map((o: any) => o.id)).toEqual([again.id, op.id]);
    if (isHttp) expect(JSON.stringify(all)).not.toContain(fake.token);
    const listed = await t.ok(CONNECTORS);
    if (isHttp) expect(JSON.stringify(listed)).not.toContain(fake.token);
    expect(t.logs.join('')).not.toContain(fake.token || '\u0000');
  });
});

describe('operations list', () => {
  it('is newest first and filters by type', async () => {
    const fake = await fakes['sarif-directory']!();
    try {
      fake.setProjects(projectsFor(fake.kind, [1]));
      const c = await createConnector(t, fake);
      const d1 = await discover(t, c.id);
      const s1 = await runOperation(t, c.id, 'Sync');
      const d2 = await discover(t, c.id);
      expect(s1.status).toBe('SUCCEEDED');
      const listed = async (type?: string) => (await t.ok(CONNECTOR_OPERATIONS, { id: c.id, type })).node.operations;
      expect(await listed()).toEqual({ totalCount: 3, nodes: [{ id: d2.id, type: 'DISCOVER' }, { id: s1.id, type: 'SYNC' }, { id: d1.id, type: 'DISCOVER' }] });
      expect(await listed('DISCOVER')).toEqual({ totalCount: 2, nodes: [{ id: d2.id, type: 'DISCOVER' }, { id: d1.id, type: 'DISCOVER' }] });
      expect(await listed('SYNC')).toEqual({ totalCount: 1, nodes: [{ id: s1.id, type: 'SYNC' }] });
    } finally {
      await fake.close();
    }
  });
});

describe('multi-page discovery', () => {
  it.each(['sonarqube', 'github'])('%s: 7 projects at 2 per page become 7 records', async (kindId) => {
    const fake = await fakes[kindId]!();
    try {
      const projects = projectsFor(kindId, [1, 2, 3, 4, 5, 6, 7]);
      fake.setProjects(projects);
      fake.setPageSizeCap(2);
      const c = await createConnector(t, fake);
      const op = await discover(t, c.id);
      expect(op.stats).toMatchObject({ recordsDiscovered: 7, recordsNew: 7 });
      expect((await records(t, c.id)).map((r) => r.vendorKey).sort()).toEqual(projects.map((p) => p.key).sort());
      // 4 pages of projects at least (the kind may also probe the server first)
      expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    } finally {
      await fake.close();
    }
  });
});
