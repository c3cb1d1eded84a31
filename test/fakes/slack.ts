// A loopback Slack Web API for one workspace (research/notification-channels.md §1), written from
// Slack's documentation: chat.postMessage, users.lookupByEmail and auth.test under /api/, each
// answering HTTP 200 with { ok: false, error } for every failure but throttling, which is HTTP 429
// + Retry-After + { ok: false, error: 'ratelimited' }. Arguments are read from a JSON body, a form
// body or the query string, the token from the Bearer header or a `token` field, as Slack does.
import type { FailSpec } from './fake.ts';
import { startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';

export const SLACK_TOKEN = 'xoxb-1111-2222-fakeSlackBotToken0123';
const TEAM = { id: 'T0ACME', name: 'Acme' };
const BOT = { userId: 'U0TRIBBOT', botId: 'B0TRIB', name: 'tributary' };

export interface SlackPosted {
  /** the channel argument as sent (an id, a name, or a user id for a DM) */
  channel: string;
  /** where it landed: the channel id, or the D… id of the DM with a user */
  postedTo: string;
  text?: string;
  blocks?: any[];
  /** every argument, parsed */
  args: Record<string, any>;
  contentType: string;
  ts: string;
}

export interface SlackFake {
  /** the server's origin; the API lives at `${url}/api/` */
  url: string;
  /** the bot token the fake accepts */
  token: string;
  messages: SlackPosted[];
  /** every email users.lookupByEmail was asked for, in order */
  lookups: string[];
  requests: Array<{ method: string; url: string; headers: Record<string, string> }>;
  addUser(email: string, id: string, opts?: { deleted?: boolean }): void;
  /** a channel the bot may post to; `state` makes posts fail as Slack's do */
  addChannel(id: string, state?: 'member' | 'not_in_channel' | 'is_archived'): void;
  /** tokens Slack no longer accepts: token_revoked */
  revoke(token: string): void;
  /** the next `times` calls of `method` answer HTTP 200 { ok: false, error } */
  errorNext(method: string, error: string, times?: number): void;
  /** the next `times` calls answer 429 + Retry-After + ratelimited */
  rateLimitNext(times: number, retryAfterSeconds?: number): void;
  /** raw HTTP failures (a proxy's 502 …) */
  failNext(times: number, spec: FailSpec): void;
  close(): Promise<void>;
}

export async function startSlackFake(): Promise<SlackFake> {
  const users = new Map<string, { id: string; deleted: boolean }>();
  const channels = new Map<string, 'member' | 'not_in_channel' | 'is_archived'>();
  const revoked = new Set<string>();
  const injected: Array<{ method: string; error: string; left: number }> = [];
  let rateLimited = { left: 0, retryAfter: 1 };
  let seq = 0;
  const messages: SlackPosted[] = [];
  const lookups: string[] = [];

  const ok = (body: Record<string, unknown>, warning?: string): FakeReply => ({ body: { ok: true, ...body, ...(warning ? { warning, response_metadata: { warnings: [warning] } } : {}) } });
  const fail = (error: string, extra: Record<string, unknown> = {}): FakeReply => ({ body: { ok: false, error, ...extra } });

  function parseArgs(req: FakeRequest): { args: Record<string, any>; json: boolean } {
    const type = req.headers['content-type'] ?? '';
    const args: Record<string, any> = Object.fromEntries(req.url.searchParams);
    if (type.startsWith('application/json')) {
      try { return { args: { ...args, ...JSON.parse(req.body || '{}') }, json: true }; } catch { return { args: { __invalid_json: true }, json: true }; }
    }
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(req.body));
      // form bodies carry blocks / attachments / metadata as JSON strings
      for (const k of ['blocks', 'attachments', 'metadata']) if (typeof form[k] === 'string') { try { (form as any)[k] = JSON.parse(form[k]); } catch { /* left as is */ } }
      return { args: { ...args, ...form }, json: false };
    }
    return { args, json: false };
  }

  function blocksProblem(blocks: unknown): string | null {
    if (!Array.isArray(blocks)) return 'invalid_blocks_format';
    if (blocks.length > 50) return 'invalid_blocks';
    for (const b of blocks as any[]) {
      if (b?.type === 'header' && (b.text?.type !== 'plain_text' || typeof b.text.text !== 'string' || b.text.text.length > 150)) return 'invalid_blocks';
      if (b?.type === 'section') {
        if (b.fields && (!Array.isArray(b.fields) || b.fields.length > 10 || b.fields.some((f: any) => typeof f?.text !== 'string' || f.text.length > 2000))) return 'invalid_blocks';
        if (b.text && (typeof b.text.text !== 'string' || b.text.text.length > 3000)) return 'invalid_blocks';
        if (!b.text && !b.fields) return 'invalid_blocks';
      }
      if (b?.type === 'actions' && (!Array.isArray(b.elements) || b.elements.some((e: any) => e.type === 'button' && (e.text?.type !== 'plain_text' || e.text.text.length > 75 || (e.url && e.url.length > 3000))))) return 'invalid_blocks';
    }
    return null;
  }

  function handle(req: FakeRequest): FakeReply {
    const m = /^\/api\/([a-zA-Z.]+)$/.exec(req.url.pathname);
    if (!m) return { status: 404, body: 'not found' };
    const method = m[1]!;
    if (rateLimited.left > 0) {
      rateLimited.left--;
      return { status: 429, headers: { 'retry-after': String(rateLimited.retryAfter) }, body: { ok: false, error: 'ratelimited' } };
    }
    const { args, json } = parseArgs(req);
    if (args.__invalid_json) return fail('invalid_json');
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // JSON bodies require the header; form bodies and queries may carry `token`
    const token = bearer ?? (json ? undefined : args.token);
    if (!token) return fail('not_authed');
    if (revoked.has(token)) return fail('token_revoked');
    if (token !== SLACK_TOKEN) return fail('invalid_auth');
    const inj = injected.find((i) => i.left > 0 && i.method === method);
    if (inj) { inj.left--; return fail(inj.error); }
    const warning = json && !/charset=utf-8/i.test(req.headers['content-type'] ?? '') ? 'missing_charset' : undefined;

    switch (method) {
      case 'auth.test':
        return ok({ url: 'https://acme.slack.com/', team: TEAM.name, user: BOT.name, team_id: TEAM.id, user_id: BOT.userId, bot_id: BOT.botId, is_enterprise_install: false });
      case 'users.lookupByEmail': {
        if (req.method !== 'GET' && req.method !== 'POST') return { status: 405, body: 'method not allowed' };
        // JSON bodies are not supported by this method: the argument is simply not seen
        const email = json ? undefined : args.email;
        if (!email) return fail('invalid_arguments');
        lookups.push(String(email));
        const user = users.get(String(email).toLowerCase());
        if (!user) return fail('users_not_found');
        return ok({ user: { id: user.id, team_id: TEAM.id, name: String(email).split('@')[0], deleted: user.deleted, is_bot: false, profile: { email, real_name: String(email).split('@')[0] } } });
      }
      case 'chat.postMessage': {
        if (req.method !== 'POST') return fail('invalid_arg_name');
        const channel = typeof args.channel === 'string' ? args.channel : '';
        if (!channel) return fail('channel_not_found');
        let postedTo: string;
        if (/^U/.test(channel)) {
          // a user id posts into the app's DM with that user, answered with a stable D… id
          const user = [...users.values()].find((u) => u.id === channel);
          if (!user || user.deleted) return fail('channel_not_found');
          postedTo = 'D' + channel.slice(1);
        } else {
          const state = channels.get(channel);
          if (!state) return fail('channel_not_found');
          if (state !== 'member') return fail(state);
          postedTo = channel;
        }
        if (!args.text && !args.blocks && !args.attachments) return fail('no_text');
        if (args.blocks !== undefined) {
          const problem = blocksProblem(args.blocks);
          if (problem) return fail(problem);
        }
        const ts = `1767225600.${String(++seq).padStart(6, '0')}`;
        messages.push({ channel, postedTo, text: args.text, blocks: args.blocks, args, contentType: req.headers['content-type'] ?? '', ts });
        return ok({ channel: postedTo, ts, message: { type: 'message', subtype: 'bot_message', bot_id: BOT.botId, text: args.text ?? '', ts } }, warning);
      }
      default:
        return fail('unknown_method');
    }
  }

  const http = await startHttpFake(handle, { pageSizeCap: 1000 });
  return {
    url: http.url,
    token: SLACK_TOKEN,
    messages,
    lookups,
    requests: http.requests,
    addUser(email, id, opts) { users.set(email.toLowerCase(), { id, deleted: !!opts?.deleted }); },
    addChannel(id, state = 'member') { channels.set(id, state); },
    revoke(token) { revoked.add(token); },
    errorNext(method, error, times = 1) { injected.push({ method, error, left: times }); },
    rateLimitNext(times, retryAfterSeconds = 1) { rateLimited = { left: times, retryAfter: retryAfterSeconds }; },
    failNext: (times, spec) => http.failNext(times, spec),
    close: () => http.close(),
  };
}
