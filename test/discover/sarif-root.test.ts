// A sarif-directory connector reads only under TRIBUTARY_SARIF_ROOT, whoever configures it: a path
// elsewhere is refused when saved (naming options.path, writing nothing), and a symlink swapped in
// afterwards fails the discover, which then changes no record.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover, runOperation, startDiscoverApp, states, updateConnector, type DiscoverApp } from '../support/connectors.ts';
import { CREATE_CONNECTOR, TEST_CONNECTOR, UPDATE_CONNECTOR } from '../support/documents.ts';
import { firstError } from '../support/graphql.ts';

let t: DiscoverApp;
let root: string;
let outside: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tributary-sarif-root-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'tributary-outside-'));
  for (const project of ['payroll', 'hr']) mkdirSync(path.join(outside, project));
  t = await startDiscoverApp({ env: { TRIBUTARY_SARIF_ROOT: root } });
});
afterAll(async () => {
  await t?.stop();
  for (const dir of [root, outside]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** a directory under the root with one sub-directory per project */
function reportDir(name: string, projects: string[]): string {
  const dir = path.join(root, name);
  for (const p of projects) mkdirSync(path.join(dir, p), { recursive: true });
  return dir;
}
async function createSarif(dir: string, extra: Record<string, unknown> = {}) {
  const input = { name: `Scans ${dir}`, kind: 'sarif-directory', url: '', options: { path: dir }, discoverSchedule: '', syncSchedule: '', ...extra };
  return (await t.ok(CREATE_CONNECTOR, { i: input })).createConnector.connector;
}
const connectorRows = () => t.sql('SELECT * FROM "Connector" ORDER BY id');

describe('saving a sarif-directory connector', () => {
  it.each([
    ['/etc', () => '/etc'],
    ['a ".." escape from the root', () => `${root}/../${path.basename(outside)}`],
    ['a relative ".." escape', () => `../${path.basename(outside)}`],
    ['a symlink inside the root leading out', () => { symlinkSync(outside, path.join(root, 'escape')); return path.join(root, 'escape'); }],
  ])('refuses %s, naming options.path and writing nothing', async (_what, pathOf) => {
    const before = await connectorRows();
    const e = firstError(await t.gql(CREATE_CONNECTOR, { i: { name: 'Scans', kind: 'sarif-directory', url: '', options: { path: pathOf() } } }, t.token));
    expect(e).toEqual({ code: 'BAD_USER_INPUT', fields: ['options.path'], message: `options.path: must lie under TRIBUTARY_SARIF_ROOT (${root})` });
    expect(await connectorRows()).toEqual(before);
  });

  it('accepts a directory under the root, absolute or relative to it, stored absolute; an update cannot move it out', async () => {
    const dir = reportDir('team-a', ['web', 'api']);
    const absolute = await createSarif(dir);
    const relative = await createSarif('team-a/');
    expect([absolute.options, relative.options]).toEqual([{ path: dir }, { path: dir }]);
    expect((await discover(t, relative.id)).stats.recordsDiscovered).toBe(2);

    const e = firstError(await t.gql(UPDATE_CONNECTOR, { i: { id: absolute.id, options: { path: '/etc' } } }, t.token));
    expect([e.code, e.fields]).toEqual(['BAD_USER_INPUT', ['options.path']]);
    expect((await updateConnector(t, absolute.id, { options: { path: 'team-a/web' } })).options).toEqual({ path: path.join(dir, 'web') });
  });
});

describe('reading', () => {
  it('a directory swapped for a symlink leading out after saving fails the discover, changing no record', async () => {
    const dir = reportDir('team-b', ['web', 'api']);
    const c = await createSarif(dir, { autoMap: true });
    await discover(t, c.id);
    expect(await states(t, c.id)).toEqual({ api: 'GOOD', web: 'GOOD' });
    const before = await t.sql('SELECT * FROM "Record" ORDER BY id');

    rmSync(dir, { recursive: true });
    symlinkSync(outside, dir);
    const op = await runOperation(t, c.id);
    expect([op.status, op.error]).toEqual(['FAILED', `${dir} leads outside TRIBUTARY_SARIF_ROOT (${root}), so it is not read`]);
    expect(await t.sql('SELECT * FROM "Record" ORDER BY id')).toEqual(before);
    const test = (await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector;
    expect(test).toEqual({ ok: false, message: op.error });
  });
});
