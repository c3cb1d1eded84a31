// The SLACK and MSTEAMS channels called directly against the Slack and Teams fakes, with the real
// app's services (config, secret box): what each sends, which failures are retryable, and that the
// bot token and the Workflows URL never reach an error message.
import type { Delivery, SystemSettings } from '@tributary/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelContext } from '@tributary/server/notifications/channels/channel.ts';
import { sendTeams } from '@tributary/server/notifications/channels/msteams.ts';
import { sendSlack, slackAuthTest } from '@tributary/server/notifications/channels/slack.ts';
import { DeliveryError, type DeliveryPayload, type NotificationMessage } from '@tributary/server/notifications/message.ts';
import type { Services } from '@tributary/server/services.ts';
import { InputError } from '@tributary/server/util/input-error.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack.ts';
import { startTeamsFake, TEAMS_SIG, type TeamsFake } from '../fakes/teams.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let slack: SlackFake;
let teams: TeamsFake;
let services: Services;

beforeAll(async () => {
  [slack, teams] = await Promise.all([startSlackFake(), startTeamsFake()]);
  t = await startTestApp({ role: 'api', env: { TRIBUTARY_SLACK_API_URL: slack.url + '/api/' } });
  services = t.app.services;
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
  await teams?.close();
});

const MESSAGE: NotificationMessage = {
  eventId: 41,
  event: 'scan_added',
  title: 'payments-api: 2 new findings from SonarQube',
  description: 'Sync of SonarQube project payments-api finished: 2 new, 1 closed. Rule <a> & <b> fired.',
  url: 'https://tributary.example.com/products/7/findings',
  product: { id: 7, name: 'payments-api' },
  findings: [
    { id: 1, title: 'SQL injection in OrderController', severity: 'CRITICAL', status: 'new' },
    { id: 2, title: 'Weak hash (MD5)', severity: 'MEDIUM', status: 'new' },
    { id: 3, title: 'Open redirect', severity: 'LOW', status: 'closed' },
  ],
  counts: { new: 2, closed: 1, reactivated: 0, untouched: 12 },
  occurredAt: '2026-01-01T00:00:00.000Z',
};

function system(over: Partial<SystemSettings> = {}): SystemSettings {
  return {
    id: 1, mailTo: '', slackTokenCiphertext: services.secrets.seal(slack.token), slackChannel: 'C0SECALERT',
    msteamsUrlCiphertext: services.secrets.seal(teams.url), enableMail: false, enableSlack: true, enableMsteams: true, enableWebhooks: false,
    slaCriticalDays: 7, slaHighDays: 30, slaMediumDays: 90, slaLowDays: 120, engagementAutoClose: false, engagementAutoCloseDays: 3,
    ...over,
  };
}

function ctx(method: 'SLACK' | 'MSTEAMS', payload: Partial<DeliveryPayload>, sys: SystemSettings = system()): ChannelContext {
  const full: DeliveryPayload = { message: MESSAGE, ...payload };
  const delivery: Delivery = {
    id: 1, event: full.message.event, method, userId: null, webhookId: null, payload: full as any, status: 'PENDING', attempts: 0,
    nextAttemptAt: new Date(), lastError: null, createdAt: new Date(), updatedAt: new Date(), sentAt: null, digestAt: null,
  };
  return { services, delivery, payload: full, system: sys };
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
}

describe('Slack', () => {
  it('posts Block Kit to the system channel with the bot token and a utf-8 JSON body', async () => {
    slack.addChannel('C0SECALERT');
    await sendSlack(ctx('SLACK', { slackChannel: 'C0SECALERT' }));
    const posted = slack.messages.at(-1)!;
    expect(posted.postedTo).toBe('C0SECALERT');
    expect(posted.contentType).toBe('application/json; charset=utf-8');
    const request = slack.requests.filter((r) => r.url.startsWith('/api/chat.postMessage')).at(-1)!;
    expect(request.headers.authorization).toBe(`Bearer ${slack.token}`);
    expect(posted.text).toContain(MESSAGE.title);
    const [header, section, description, actions] = posted.blocks!;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: MESSAGE.title, emoji: true } });
    const fields = section.fields.map((f: { text: string }) => f.text);
    expect(fields).toEqual([
      '*Product:*\npayments-api',
      '*Event:*\nScan added',
      '*Findings:*\n2 new · 1 closed · 0 reactivated · 12 untouched',
      expect.stringMatching(/^\*Findings concerned:\*\n• \*CRITICAL\* SQL injection in OrderController \(new\)\n• \*MEDIUM\* Weak hash/),
    ]);
    // mrkdwn control characters escaped
    expect(description.text.text).toContain('Rule &lt;a&gt; &amp; &lt;b&gt; fired.');
    expect(actions).toMatchObject({ type: 'actions', elements: [{ type: 'button', url: MESSAGE.url, text: { type: 'plain_text' } }] });
  });

  it('cuts a long title to the header limit and lists only the top findings', async () => {
    slack.addChannel('C0LONG');
    const findings = Array.from({ length: 12 }, (_, i) => ({ id: i, title: `finding ${i}`, severity: 'HIGH' as const, status: 'new' as const }));
    const message = { ...MESSAGE, title: 'x'.repeat(400), findings, url: null };
    await sendSlack(ctx('SLACK', { message, slackChannel: 'C0LONG' }));
    const blocks = slack.messages.at(-1)!.blocks!;
    expect(blocks[0].text.text.length).toBe(150);
    const top = blocks[1].fields.at(-1).text as string;
    expect(top).toMatch(/^\*Top findings:\*/);
    expect(top.split('\n').filter((l) => l.startsWith('•'))).toHaveLength(5);
    expect(top).toContain('…and 7 more');
    expect(blocks.some((b: { type: string }) => b.type === 'actions')).toBe(false);
  });

  it('finds a personal recipient by email, posts to their DM, and caches the lookup', async () => {
    slack.addUser('alice@example.com', 'U0ALICE');
    const before = slack.lookups.length;
    await sendSlack(ctx('SLACK', { slackEmail: 'alice@example.com' }));
    expect(slack.messages.at(-1)).toMatchObject({ channel: 'U0ALICE', postedTo: 'D0ALICE' });
    await sendSlack(ctx('SLACK', { slackEmail: 'Alice@Example.com' }));
    expect(slack.messages.at(-1)).toMatchObject({ channel: 'U0ALICE' });
    expect(slack.lookups.slice(before)).toEqual(['alice@example.com']);
  });

  it('an unknown or deactivated email is not retryable (users_not_found)', async () => {
    const e = await failure(sendSlack(ctx('SLACK', { slackEmail: 'nobody@example.com' })));
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('users_not_found');
    slack.addUser('gone@example.com', 'U0GONE', { deleted: true });
    const gone = await failure(sendSlack(ctx('SLACK', { slackEmail: 'gone@example.com' })));
    expect(gone.retryable).toBe(false);
    expect(gone.message).toContain('users_not_found');
  });

  it('a rejected or revoked token is not retryable and never appears in the error', async () => {
    const bad = 'xoxb-9999-wrong-token-abcdef';
    const e = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0SECALERT' }, system({ slackTokenCiphertext: services.secrets.seal(bad) }))));
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('invalid_auth');
    expect(e.message).not.toContain(bad);
    const revoked = 'xoxb-8888-revoked-token-abcdef';
    slack.revoke(revoked);
    const r = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0SECALERT' }, system({ slackTokenCiphertext: services.secrets.seal(revoked) }))));
    expect(r).toMatchObject({ retryable: false });
    expect(r.message).toContain('token_revoked');
  });

  it('channel errors are permanent, Slack-side errors and proxies retryable', async () => {
    slack.addChannel('C0ARCHIVED', 'is_archived');
    slack.addChannel('C0PRIVATE', 'not_in_channel');
    slack.addChannel('C0FLAKY');
    const cases: Array<[string, boolean]> = [];
    for (const channel of ['C0MISSING', 'C0ARCHIVED', 'C0PRIVATE']) {
      const e = await failure(sendSlack(ctx('SLACK', { slackChannel: channel })));
      cases.push([e.message.split(' (')[0]!, e.retryable]);
    }
    slack.errorNext('chat.postMessage', 'internal_error');
    const internal = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0FLAKY' })));
    cases.push([internal.message, internal.retryable]);
    slack.failNext(1, { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html', pathIncludes: 'chat.postMessage' });
    const proxy = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0FLAKY' })));
    cases.push([proxy.message, proxy.retryable]);
    expect(cases).toEqual([
      ['Slack chat.postMessage: channel_not_found', false],
      ['Slack chat.postMessage: is_archived', false],
      ['Slack chat.postMessage: not_in_channel', false],
      ['Slack chat.postMessage: internal_error', true],
      ['Slack chat.postMessage: HTTP 502', true],
    ]);
  });

  it('429 is retryable with Retry-After, and this process then holds back from that channel', async () => {
    slack.addChannel('C0BUSY');
    slack.rateLimitNext(1, 7);
    const e = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0BUSY' })));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(e.message).toContain('ratelimited');
    const posts = slack.requests.length;
    const held = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0BUSY' })));
    expect(held.retryable).toBe(true);
    expect(held.retryAfterMs).toBeGreaterThan(5000);
    expect(slack.requests.length).toBe(posts);
  });

  it('an unreachable Slack is retryable; no token is "not configured"', async () => {
    const down = await startTestApp({ role: 'api', env: { TRIBUTARY_SLACK_API_URL: 'http://127.0.0.1:1/api/' } });
    try {
      const sys = { ...system(), slackTokenCiphertext: down.app.services.secrets.seal(slack.token) };
      const e = await failure(sendSlack({ ...ctx('SLACK', { slackChannel: 'C0SECALERT' }, sys), services: down.app.services }));
      expect(e.retryable).toBe(true);
      expect(e.message).toContain('could not be reached');
    } finally {
      await down.stop();
    }
    const none = await failure(sendSlack(ctx('SLACK', { slackChannel: 'C0SECALERT' }, system({ slackTokenCiphertext: null }))));
    expect(none).toMatchObject({ message: 'Slack is not configured', retryable: false });
  });

  it('slackAuthTest names the team and bot, or fails as InputError on slackToken with Slack\'s reason', async () => {
    await expect(slackAuthTest(services, slack.token)).resolves.toEqual({ ok: true, team: 'Acme', user: 'tributary' });
    const bad = 'xoxb-7777-not-a-real-token-xyz';
    const e = await slackAuthTest(services, bad).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).field).toBe('slackToken');
    expect((e as InputError).message).toContain('invalid_auth');
    expect((e as InputError).message).not.toContain(bad);
    await expect(slackAuthTest(services, '  ')).rejects.toMatchObject({ field: 'slackToken' });
  });
});

describe('Microsoft Teams', () => {
  const errors: string[] = [];
  const teamsFailure = async (p: Promise<unknown>) => {
    const e = await failure(p);
    errors.push(e.message);
    return e;
  };

  it('posts one Adaptive Card 1.4 in the message envelope as application/json; the fake answers 202', async () => {
    await sendTeams(ctx('MSTEAMS', {}));
    const post = teams.posts.at(-1)!;
    expect(post.contentType).toMatch(/^application\/json/);
    expect(post.body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    const card = post.cards[0];
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', actions: [{ type: 'Action.OpenUrl', url: MESSAGE.url }] });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: MESSAGE.title, weight: 'Bolder' });
    expect(card.body[1].facts).toEqual(expect.arrayContaining([
      { title: 'Product', value: 'payments-api' },
      { title: 'Event', value: 'Scan added' },
      { title: 'Findings', value: '2 new · 1 closed · 0 reactivated · 12 untouched' },
    ]));
    expect(card.body.at(-1)).toMatchObject({ type: 'FactSet', facts: [{ title: 'CRITICAL', value: 'SQL injection in OrderController (new)' }, expect.anything(), expect.anything()] });
  });

  it('keeps a long message under 24 KB by showing fewer findings', async () => {
    const findings = Array.from({ length: 300 }, (_, i) => ({ id: i, title: `finding ${i} `.repeat(20), severity: 'HIGH' as const, status: 'new' as const }));
    await sendTeams(ctx('MSTEAMS', { message: { ...MESSAGE, findings, description: 'd'.repeat(50_000) } }));
    expect(Buffer.byteLength(JSON.stringify(teams.posts.at(-1)!.body))).toBeLessThanOrEqual(24 * 1024);
  });

  it('the fake rejects what Teams rejects', async () => {
    const post = (body: string, type = 'application/json') => fetch(teams.url, { method: 'POST', headers: { 'content-type': type }, body });
    const card = { type: 'AdaptiveCard', version: '1.4', body: [] };
    expect((await post(JSON.stringify({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }), 'text/plain')).status).toBe(400);
    expect((await post(JSON.stringify({ '@type': 'MessageCard', '@context': 'http://schema.org/extensions', text: 'hi' }))).status).toBe(400);
    expect((await post(JSON.stringify({ type: 'message' }))).status).toBe(400);
    expect((await post(JSON.stringify(card))).status).toBe(400);
    expect((await post(JSON.stringify({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }))).status).toBe(202);
    expect((await fetch(teams.url.replace(TEAMS_SIG, 'forged'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('400, 401 and 404 are not retryable; 503 is', async () => {
    teams.failNext(1, { status: 400, body: JSON.stringify({ error: { code: 'InvalidRequestContent', message: 'The input body for trigger \'manual\' of type \'Request\' must be of type JSON' } }) });
    const bad = await teamsFailure(sendTeams(ctx('MSTEAMS', {})));
    expect(bad).toMatchObject({ retryable: false });
    expect(bad.message).toContain('HTTP 400');
    expect(bad.message).toContain('InvalidRequestContent');
    const forged = await teamsFailure(sendTeams(ctx('MSTEAMS', {}, system({ msteamsUrlCiphertext: services.secrets.seal(teams.url.replace(TEAMS_SIG, 'forgedSignature123')) }))));
    expect(forged).toMatchObject({ retryable: false });
    expect(forged.message).toContain('HTTP 401');
    const gone = await teamsFailure(sendTeams(ctx('MSTEAMS', {}, system({ msteamsUrlCiphertext: services.secrets.seal(teams.url.replace('/workflows/', '/workflows/deleted')) }))));
    expect(gone).toMatchObject({ retryable: false });
    expect(gone.message).toContain('HTTP 404');
    teams.failNext(1, { status: 503, body: '' });
    const down = await teamsFailure(sendTeams(ctx('MSTEAMS', {})));
    expect(down).toMatchObject({ retryable: true });
  });

  it('an unreachable flow is retryable; no URL is "not configured"', async () => {
    const dead = teams.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://127.0.0.1:1');
    const e = await teamsFailure(sendTeams(ctx('MSTEAMS', {}, system({ msteamsUrlCiphertext: services.secrets.seal(dead) }))));
    expect(e.retryable).toBe(true);
    expect(e.message).not.toContain(dead);
    const none = await failure(sendTeams(ctx('MSTEAMS', {}, system({ msteamsUrlCiphertext: null }))));
    expect(none).toMatchObject({ message: 'Microsoft Teams is not configured', retryable: false });
  });

  it('429 is retryable with Retry-After', async () => {
    teams.failNext(1, { status: 429, retryAfter: 3, body: '{"error":{"code":"TooManyRequests"}}' });
    const e = await teamsFailure(sendTeams(ctx('MSTEAMS', {})));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });

  it('no error message carries the Workflows URL or its signature', () => {
    expect(errors.length).toBeGreaterThanOrEqual(6);
    for (const message of errors) {
      expect(message).not.toContain(TEAMS_SIG);
      expect(message).not.toContain('forgedSignature123');
      expect(message).not.toContain('/triggers/manual/paths/invoke');
    }
  });
});
