// The analyst fields (issue 12) reach the API: a finding reimported with them is read back through
// GraphQL's `findings` with each field, as the dashboard and integrators see it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reimport } from '@tributary/server/operations/reimport.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { dataOf } from '../support/graphql.ts';
import { finding, pagesOf, reimportOptions } from '../support/reimport.ts';

let t: TestApp;
let admin: string;
let pool: pg.Pool;
let testId: number;

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  admin = await t.login();
  await t.sql(`INSERT INTO "Product" (name, "updatedAt") VALUES ('shop', now())`);
  await t.sql(`INSERT INTO "Engagement" ("productId", name, "updatedAt") SELECT id, 'Global Connectors', now() FROM "Product"`);
  [{ id: testId }] = await t.sql<{ id: number }>(`INSERT INTO "Test" ("engagementId", title, "updatedAt") SELECT id, 'scan', now() FROM "Engagement" RETURNING id`);
  pool = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
});
afterAll(async () => { await pool?.end(); await t?.stop(); });

describe('analyst fields in the API', () => {
  it('shows every field of a reimported finding on Finding', async () => {
    await reimport(pool, reimportOptions(testId), pagesOf([finding(1, {
      cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvssV4Score: 9.3, cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      epssScore: 0.94, epssPercentile: 0.998, knownExploited: true, fixVersion: '2.17.1', vendorUrl: 'https://tool.example/f/1',
      cwe: 502, cwes: [502, 20], line: 4, endLine: 9, toolName: 'Grype', toolVersion: '0.80.0', codeClassification: 'test', outOfScope: true,
      dismissed: true, dismissedBy: 'alice', dismissedAt: new Date('2026-01-05T10:00:00Z'), dismissedReason: 'won\'t fix: behind the VPN',
    })]));
    const r = await t.gql(`{ findings(first: 5) { nodes { title active outOfScope cvssScore cvssVector cvssV4Score cvssV4Vector epssScore epssPercentile
      knownExploited fixVersion vendorUrl cwe cwes line endLine toolName toolVersion codeClassification dismissedInTool dismissedBy dismissedAt dismissedReason } } }`, {}, admin);
    expect(dataOf(r).findings.nodes).toEqual([{
      title: 'Finding 1', active: false, outOfScope: true, cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      cvssV4Score: 9.3, cvssV4Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', epssScore: 0.94, epssPercentile: 0.998,
      knownExploited: true, fixVersion: '2.17.1', vendorUrl: 'https://tool.example/f/1', cwe: 502, cwes: [502, 20], line: 4, endLine: 9,
      toolName: 'Grype', toolVersion: '0.80.0', codeClassification: 'test', dismissedInTool: true, dismissedBy: 'alice',
      dismissedAt: '2026-01-05T10:00:00.000Z', dismissedReason: 'won\'t fix: behind the VPN',
    }]);
  });
});
