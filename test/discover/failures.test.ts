// A discover that fails — bad token, unreachable host, TLS, 5xx past retries, timeout, HTML, a
// truncated page, a looping `next` — ends FAILED with an error naming the cause, changes no record,
// leaks the secret neither in the error nor in the app's logs, and leaves the worker able to run
// the next discover.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSonarqubeFake, type SonarqubeFake } from '../fakes/sonarqube.ts';
import { createConnector, discover, records, runOperation, startDiscoverApp, updateConnector, type DiscoverApp, type RecordView } from '../support/connectors.ts';
import { IGNORE_RECORD } from '../support/documents.ts';
import { projectsFor } from '../support/kinds.ts';

const WRONG_TOKEN = 'squ_wrong0123456789abcdef0123456789abcdef';
const TIMEOUT_MS = 400;

let t: DiscoverApp;
let fake: SonarqubeFake;
let connectorId: string;
let baseline: RecordView[];
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  t = await startDiscoverApp();
  fake = await startSonarqubeFake();
  fake.setProjects(projectsFor('sonarqube', [1, 2, 3]));
  // one project per page, so failures can strike after the first page was read
  fake.setPageSizeCap(1);
  connectorId = (await createConnector(t, fake, { autoMap: true })).id;
  await discover(t, connectorId);
  const third = (await records(t, connectorId))[2]!;
  await t.ok(IGNORE_RECORD, { r: third.id });
  baseline = await records(t, connectorId);
  expect(baseline.map((r) => r.state)).toEqual(['GOOD', 'GOOD', 'IGNORED']);
});
afterAll(async () => {
  for (const close of closers) await close();
  await fake?.close();
  await t?.stop();
});

/**
 * Runs a discover that must fail with `cause` in its error and change nothing; then puts the
 * connector and the fake right again and shows the next discover works.
 */
async function expectFailure(cause: string | RegExp) {
  const requestsBefore = fake.requests.length;
  // project 1 is gone: a complete discover would turn its record MISSING, a failed one must not
  fake.setProjects(projectsFor('sonarqube', [2, 3]));
  let op;
  try {
    op = await runOperation(t, connectorId);
    expect(op.status).toBe('FAILED');
    expect(op.error).toMatch(cause);
    for (const secret of [fake.token, WRONG_TOKEN, Buffer.from(`${fake.token}:`).toString('base64')]) expect(op.error).not.toContain(secret);
    expect(op.stats.recordsMissing).toBe(0);
    expect(await records(t, connectorId)).toEqual(baseline);
  } finally {
    fake.setProjects(projectsFor('sonarqube', [1, 2, 3]));
    fake.setLoopingPagination(false);
    await updateConnector(t, connectorId, { url: fake.url, secret: fake.token });
  }
  const next = await discover(t, connectorId);
  expect(next.stats).toMatchObject({ recordsDiscovered: 3, recordsNew: 0, recordsMissing: 0 });
  expect(await records(t, connectorId)).toEqual(baseline);
  return { op, requests: fake.requests.slice(requestsBefore) };
}

/** A loopback TCP server answering each connection with `onConnect`; returns its http URL. */
async function rawServer(onConnect: (socket: net.Socket) => void): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); onConnect(s); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('a failed discover changes nothing and names the cause', () => {
  it('wrong token', async () => {
    await updateConnector(t, connectorId, { secret: WRONG_TOKEN });
    await expectFailure(/^401 from SonarQube \/ SonarCloud \(the token was rejected\)/);
  });

  it('unreachable host (a closed port)', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    await updateConnector(t, connectorId, { url: `http://127.0.0.1:${port}`, secret: fake.token });
    await expectFailure(`SonarQube / SonarCloud at http://127.0.0.1:${port}/ could not be reached: connection refused`);
  });

  it('TLS: https to a plain-HTTP port', async () => {
    await updateConnector(t, connectorId, { url: fake.url.replace('http:', 'https:'), secret: fake.token });
    await expectFailure(/could not be reached: TLS error: /);
  });

  it('TLS: a self-signed certificate', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tributary-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const server = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    rmSync(dir, { recursive: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    await updateConnector(t, connectorId, { url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`, secret: fake.token });
    await expectFailure(/could not be reached: TLS error: self[- ]signed certificate/);
  });

  it('HTTP 500 past every retry (the error body quoting the token is redacted)', async () => {
    // Retry-After: 0 keeps the four retries instant
    fake.failNext(5, { status: 500, retryAfter: 0, body: JSON.stringify({ errors: [{ msg: `backend down for token ${fake.token}` }] }) });
    const { op, requests } = await expectFailure(/^500 from SonarQube \/ SonarCloud: .*backend down for token \[redacted\]/);
    // 1 try + 4 retries, then the recovery discover's 3 pages
    expect(requests.length).toBe(5 + 3);
    expect(op.error).toContain('api/components/search');
  });

  it('a timeout', async () => {
    process.env.TRIBUTARY_HTTP_TIMEOUT_MS = String(TIMEOUT_MS);
    try {
      const silent = await rawServer(() => {});
      await updateConnector(t, connectorId, { url: silent, secret: fake.token });
      await expectFailure(`SonarQube / SonarCloud at ${silent}/ could not be reached: no answer within ${TIMEOUT_MS} ms`);
    } finally {
      delete process.env.TRIBUTARY_HTTP_TIMEOUT_MS;
    }
  });

  it('HTML instead of JSON', async () => {
    fake.failNext(1, { status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><html><body>Sign in to continue</body></html>' });
    await expectFailure(/^SonarQube \/ SonarCloud answered HTTP 200 with text\/html; charset=utf-8, not JSON: an HTML page/);
  });

  it('a truncated JSON page after the first page', async () => {
    fake.failNext(1, { status: 200, pathIncludes: 'p=2', body: '{"paging":{"pageIndex":2,"pageSize":1,"total":3},"components":[{"key":"org.exa' });
    const { requests } = await expectFailure(/not JSON: \{"paging":\{"pageIndex":2/);
    expect(requests.filter((r) => r.url.includes('p=3'))).toHaveLength(1);
  });

  it('a response cut short mid-body', async () => {
    const cut = await rawServer((s) => s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n\r\n{"paging":{"pageIndex":1,');
      setTimeout(() => s.destroy(), 20);
    }));
    await updateConnector(t, connectorId, { url: cut, secret: fake.token });
    await expectFailure(/^SonarQube \/ SonarCloud: the response was cut short/);
  });

  it('a looping next page', async () => {
    fake.setLoopingPagination(true);
    await expectFailure(/^SonarQube returned org\.example:app-\d twice while paging api\/components\/search: the pagination loops/);
  });

  it('logs say each operation failed, and never contain a secret', () => {
    const logs = t.logs.join('\n');
    expect(t.logs.filter((l) => l.includes('"msg":"operation failed"'))).toHaveLength(10);
    for (const secret of [fake.token, WRONG_TOKEN, Buffer.from(`${fake.token}:`).toString('base64'), Buffer.from(`${WRONG_TOKEN}:`).toString('base64')]) {
      expect(logs).not.toContain(secret);
    }
  });
});
