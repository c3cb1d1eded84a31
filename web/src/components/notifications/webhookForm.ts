// A webhook's form ↔ createWebhook / updateWebhook input. The header value is write-only: the form
// starts it empty and sends it only when typed (an empty one keeps the stored value); an edit sends
// only the fields that changed, so the server pings the endpoint only when its URL or header moved.
import type { ResultOf, VariablesOf } from '../../graphql/tada';
import type { CreateWebhookMutation, UpdateWebhookMutation, WebhookFields } from '../../graphql/notifications';

type Webhook = ResultOf<typeof WebhookFields>;
type CreateInput = VariablesOf<typeof CreateWebhookMutation>['input'];
type UpdateInput = VariablesOf<typeof UpdateWebhookMutation>['input'];

export interface WebhookDraft { name: string; url: string; headerName: string; headerValue: string }

export function draftFromWebhook(webhook: Webhook | null | undefined): WebhookDraft {
  return { name: webhook?.name ?? '', url: webhook?.url ?? '', headerName: webhook?.headerName ?? '', headerValue: '' };
}

export function createWebhookInput(draft: WebhookDraft): CreateInput {
  const headerName = draft.headerName.trim();
  return {
    name: draft.name.trim(),
    url: draft.url.trim(),
    headerName: headerName || null,
    headerValue: headerName && draft.headerValue ? draft.headerValue : null,
  };
}

/** null when nothing changed */
export function updateWebhookInput(webhook: Webhook, draft: WebhookDraft): UpdateInput | null {
  const saved = draftFromWebhook(webhook);
  const input: UpdateInput = { id: webhook.id };
  if (draft.name.trim() !== saved.name) input.name = draft.name.trim();
  if (draft.url.trim() !== saved.url) input.url = draft.url.trim();
  // an empty header name removes the header
  if (draft.headerName.trim() !== saved.headerName) input.headerName = draft.headerName.trim();
  if (draft.headerValue && draft.headerName.trim()) input.headerValue = draft.headerValue;
  return Object.keys(input).length > 1 ? input : null;
}

/** ACTIVE and ACTIVE_TMP receive; a person switches one off (INACTIVE_PERMANENT) or back on */
export const isSwitchedOff = (webhook: Pick<Webhook, 'status'>): boolean => webhook.status === 'INACTIVE_PERMANENT';
