// Connector configuration over GraphQL: bad input names the field and writes nothing, an update
// without a secret keeps the stored one, and testConnector answers ok or an actionable message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTool } from '../fakes/fake.ts';
import { fakes } from '../fakes/index.ts';
import { connectorKinds } from '@tributary/server/connectors/registry.ts';
import { startSonarqubeFake, SONAR_VERSION, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { createConnector, discover, startDiscoverApp, updateConnector, type DiscoverApp } from '../support/connectors.ts';
import { CONNECTOR, CREATE_CONNECTOR, TEST_CONNECTOR, UPDATE_CONNECTOR } from '../support/documents.ts';
import { firstError } from '../support/graphql.ts';
import { projectsFor } from '../support/kinds.ts';

const WRONG_TOKEN = 'wrong-token-0123456789abcdef';

let t: DiscoverApp;
let sonar: SonarqubeFake;
beforeAll(async () => { t = await startDiscoverApp(); sonar = await startSonarqubeFake(); });
afterAll(async () => { await sonar?.close(); await t?.stop(); });

const connectorRows = () => t.sql('SELECT * FROM "Connector" ORDER BY id');
const sonarInput = (extra: Record<string, unknown>) => ({ name: 'Sonar', kind: 'sonarqube', url: sonar.url, secret: sonar.token, ...extra });

describe('bad input names the field and writes nothing', () => {
  it.each([
    ['an unknown kind', { kind: 'jira' }, 'kind', `kind: "jira" is not a connector kind (${connectorKinds.map((k) => k.id).join(', ')})`],
    ['a missing required option', { kind: 'github', url: 'https://api.github.com', options: {} }, 'options.organization', 'options.organization: is required by github'],
    ['an unknown option key', { options: { branch: 'main' } }, 'options.branch', 'options.branch: is not an option of sonarqube (options: organization)'],
    ['a cron with too few fields', { discoverSchedule: 'daily' }, 'discoverSchedule', 'discoverSchedule: "daily" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"'],
    ['a cron out of range', { syncSchedule: '61 * * * *' }, 'syncSchedule', 'syncSchedule: "61 * * * *" is not a valid cron expression'],
    ['an invalid URL', { url: 'sonar.example.com' }, 'url', 'url: "sonar.example.com" is not a URL'],
    ['a non-http URL', { url: 'ftp://sonar.example.com' }, 'url', 'url: must be an http or https URL'],
    ['a missing secret', { secret: '' }, 'secret', 'secret: is required by sonarqube'],
  ])('createConnector with %s', async (_what, input, field, message) => {
    const before = await connectorRows();
    const e = firstError(await t.gql(CREATE_CONNECTOR, { i: sonarInput(input) }, t.token));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.fields).toEqual([field]);
    expect(e.message.startsWith(message)).toBe(true);
    expect(await connectorRows()).toEqual(before);
  });

  it('updateConnector refuses the same mistakes and a kind change, leaving the row as it was', async () => {
    const c = await createConnector(t, sonar);
    const before = await connectorRows();
    for (const [input, field] of [
      [{ options: { branch: 'main' } }, 'options.branch'],
      [{ discoverSchedule: '* * *' }, 'discoverSchedule'],
      [{ url: 'not a url' }, 'url'],
      [{ kind: 'github' }, 'kind'],
    ] as const) {
      const e = firstError(await t.gql(UPDATE_CONNECTOR, { i: { id: c.id, ...input } }, t.token));
      expect([e.code, e.fields]).toEqual(['BAD_USER_INPUT', [field]]);
      expect(e.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(await connectorRows()).toEqual(before);
  });
});

describe('the secret', () => {
  it('is kept by an update that gives none (or an empty one), and replaced by one that gives a new one', async () => {
    sonar.setProjects(projectsFor('sonarqube', [1]));
    const c = await createConnector(t, sonar);
    const [stored] = await t.sql('SELECT "secretCiphertext" FROM "Connector" WHERE name = $1', [c.name]);
    const renamed = await updateConnector(t, c.id, { name: 'Sonar renamed' });
    expect(renamed).toMatchObject({ name: 'Sonar renamed', hasSecret: true });
    await updateConnector(t, c.id, { secret: '' });
    expect(await t.sql('SELECT "secretCiphertext" FROM "Connector" WHERE id = (SELECT id FROM "Connector" WHERE name = $1)', ['Sonar renamed'])).toEqual([stored]);
    // the fake accepts only its token, so a discover proves the kept secret is the right one
    expect((await discover(t, c.id)).stats.recordsDiscovered).toBe(1);

    await updateConnector(t, c.id, { secret: WRONG_TOKEN });
    expect((await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector.ok).toBe(false);
    const output = JSON.stringify(await t.ok(CONNECTOR, { id: c.id }));
    expect(output).not.toContain(WRONG_TOKEN);
    expect(output).not.toContain(sonar.token);
  });
});

describe('testConnector', () => {
  it('answers ok with what it reached', async () => {
    const c = await createConnector(t, sonar);
    expect((await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector).toEqual({ ok: true, message: `Connected to SonarQube ${SONAR_VERSION} as tributary-bot` });
  });

  describe.each(Object.keys(fakes).filter((k) => k !== 'sarif-directory'))('%s', (kindId) => {
    let fake: FakeTool;
    beforeAll(async () => { fake = await fakes[kindId]!(); });
    afterAll(async () => { await fake?.close(); });

    it('is ok with the right token, and says the token was rejected for a wrong one, without echoing it', async () => {
      const c = await createConnector(t, fake);
      const good = (await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector;
      expect(good.ok).toBe(true);
      expect(good.message.length).toBeGreaterThan(0);
      await updateConnector(t, c.id, { secret: WRONG_TOKEN });
      const bad = (await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector;
      expect(bad.ok).toBe(false);
      // "401 … token was rejected"; AWS answers a bad signature with 403 and says the credentials were rejected
      expect(bad.message).toMatch(/401|token|credentials were rejected/);
      expect(bad.message).not.toContain(WRONG_TOKEN);
    });
  });

  it('for SARIF, says whether the directory exists', async () => {
    const fake = await fakes['sarif-directory']!();
    try {
      const c = await createConnector(t, fake);
      expect((await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector.ok).toBe(true);
      // relative to TRIBUTARY_SARIF_ROOT
      await updateConnector(t, c.id, { options: { path: 'nonexistent/tributary-reports' } });
      const bad = (await t.ok(TEST_CONNECTOR, { id: c.id })).testConnector;
      expect(bad.ok).toBe(false);
      expect(bad.message).toContain('/nonexistent/tributary-reports');
    } finally {
      await fake.close();
    }
  });
});
