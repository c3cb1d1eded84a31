// The webhook form: the header value is write-only, an edit sends only what changed.
import { describe, expect, it } from 'vitest';
import { createWebhookInput, draftFromWebhook, updateWebhookInput } from './webhookForm';

const hook = {
  id: 'V2ViaG9vazox', name: 'SIEM', url: 'https://siem.example/in', status: 'ACTIVE' as const, headerName: 'Authorization', hasHeaderValue: true,
  note: null, firstErrorAt: null, lastErrorAt: null, createdAt: '2026-01-01T00:00:00.000Z',
};

describe('webhook form', () => {
  it('creates with the header only when it is named', () => {
    expect(createWebhookInput({ name: ' SIEM ', url: ' https://siem.example/in ', headerName: '', headerValue: 'ignored' }))
      .toEqual({ name: 'SIEM', url: 'https://siem.example/in', headerName: null, headerValue: null });
    expect(createWebhookInput({ name: 'SIEM', url: 'https://siem.example/in', headerName: 'Authorization', headerValue: 'Bearer x' }))
      .toEqual({ name: 'SIEM', url: 'https://siem.example/in', headerName: 'Authorization', headerValue: 'Bearer x' });
  });

  it('edits only what changed, keeping the stored header value unless a new one is typed', () => {
    const draft = draftFromWebhook(hook);
    expect(draft.headerValue).toBe('');
    expect(updateWebhookInput(hook, draft)).toBeNull();
    expect(updateWebhookInput(hook, { ...draft, name: 'SIEM 2' })).toEqual({ id: hook.id, name: 'SIEM 2' });
    expect(updateWebhookInput(hook, { ...draft, headerValue: 'Bearer y' })).toEqual({ id: hook.id, headerValue: 'Bearer y' });
    // an emptied header name removes the header
    expect(updateWebhookInput(hook, { ...draft, headerName: '' })).toEqual({ id: hook.id, headerName: '' });
  });
});
