// A loopback Power Automate "Workflows" trigger ("When a Teams webhook request is received"),
// written from research/notification-channels.md §2: POST JSON in the message envelope around
// Adaptive Cards → 202 with an empty body. A non-JSON Content-Type gets Power Automate's 400
// InvalidRequestContent; a wrong `sig` 401; an unknown flow 404; over 28 KB 413.
// Stricter than Teams on purpose: a body without the envelope, with MessageCard attachments or with
// a card version above 1.4 is answered 400 here, where the real trigger answers 202 and the flow
// run then fails or shows "this card couldn't be displayed" — a bug we want a test to see.
import type { FailSpec } from './fake.ts';
import { startHttpFake, type FakeReply, type FakeRequest } from './http-fake.ts';

const FLOW_PATH = '/powerautomate/automations/direct/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0/triggers/manual/paths/invoke';
export const TEAMS_SIG = 'fAkEsIgNaTuRe-9q8w7e6r5t4y3u2i1o0p-ZxCvBnM';
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const MAX_BYTES = 28 * 1024;
const CARD_VERSIONS = new Set(['1.0', '1.1', '1.2', '1.3', '1.4']);

export interface TeamsFake {
  /** the full workflow URL, `sig` included: a credential */
  url: string;
  /** each accepted post: the Adaptive Card(s) and the raw body */
  posts: Array<{ cards: any[]; body: any; contentType: string }>;
  /** every 400 the fake answered, with why (what Teams would log in the flow run) */
  rejected: Array<{ status: number; reason: string }>;
  requests: Array<{ method: string; url: string; headers: Record<string, string> }>;
  /** the next `times` posts answer with this status instead (e.g. 503, 429 with retryAfter) */
  failNext(times: number, spec: FailSpec): void;
  close(): Promise<void>;
}

export async function startTeamsFake(): Promise<TeamsFake> {
  const posts: TeamsFake['posts'] = [];
  const rejected: TeamsFake['rejected'] = [];

  const error = (status: number, code: string, message: string): FakeReply => {
    rejected.push({ status, reason: `${code}: ${message}` });
    return { status, body: { error: { code, message } } };
  };

  function cardProblem(a: any): string | null {
    if (a?.contentType !== ADAPTIVE) return `attachment contentType must be '${ADAPTIVE}', not '${a?.contentType}'`;
    const card = a.content;
    if (!card || card.type !== 'AdaptiveCard') return "Property 'type' must be 'AdaptiveCard'";
    if (!CARD_VERSIONS.has(String(card.version))) return `card version ${card.version} is not rendered by the Workflows post step (1.4 at most)`;
    if (!Array.isArray(card.body)) return 'card body must be an array';
    for (const action of card.actions ?? []) if (action.type === 'Action.Submit') return 'Action.Submit is not supported in webhook cards';
    return null;
  }

  function handle(req: FakeRequest): FakeReply {
    if (req.url.pathname !== FLOW_PATH) return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (req.method !== 'POST') return error(404, 'TriggerRequestMethodNotValid', `The HTTP method for this request is not valid: expected 'Post' and actual '${req.method}'.`);
    if (req.url.searchParams.get('sig') !== TEAMS_SIG) return error(401, 'DirectApiInvalidAuthorizationSignature', 'The provided signature is not valid.');
    const type = req.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      return error(400, 'InvalidRequestContent', `The input body for trigger 'manual' of type 'Request' must be of type JSON, but was of type '${type || 'application/octet-stream'}'.`);
    }
    if (Buffer.byteLength(req.body) > MAX_BYTES) return error(413, 'RequestEntityTooLarge', 'The message size limit is 28 KB.');
    let body: any;
    try { body = JSON.parse(req.body); } catch { return error(400, 'InvalidRequestContent', 'The request content is not valid JSON.'); }
    // a MessageCard (@type) or a bare card: the template's foreach over attachments gets Null
    if (body?.type !== 'message') return error(400, 'InvalidTemplate', "The body 'type' must be 'message' (a MessageCard or a bare card is not accepted).");
    if (!Array.isArray(body.attachments) || body.attachments.length === 0) {
      return error(400, 'InvalidTemplate', "The 'foreach' expression 'triggerOutputs()?['body']?['attachments']' is of type 'Null'; an array is expected.");
    }
    for (const a of body.attachments) {
      const problem = cardProblem(a);
      if (problem) return error(400, 'InvalidTemplate', problem);
    }
    posts.push({ cards: body.attachments.map((a: any) => a.content), body, contentType: type });
    return { status: 202, body: '' };
  }

  const http = await startHttpFake(handle, { pageSizeCap: 1000 });
  return {
    url: `${http.url}${FLOW_PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${TEAMS_SIG}`,
    posts,
    rejected,
    requests: http.requests,
    failNext: (times, spec) => http.failNext(times, spec),
    close: () => http.close(),
  };
}
