// Every transition of the webhook health state machine (DefectDojo's, research/notification-channels.md
// §3.4, with our two changes: a success reactivates at once; the 60 s wait is read, not scheduled).
import { describe, expect, it } from 'vitest';
import {
  GIVE_UP_AFTER_MS, NOTE_MAX, REACTIVATE_AFTER_MS, nextWebhookStatus, settledWebhookStatus, webhookTakesSends, type WebhookHealth,
} from '@tributary/server/notifications/webhook-status.ts';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const clean: WebhookHealth = { status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: null };
const temporary = { kind: 'temporary', note: 'HTTP 503' } as const;
const permanent = { kind: 'permanent', note: 'HTTP 404' } as const;
const ok = { kind: 'ok' } as const;

describe('nextWebhookStatus', () => {
  it('ACTIVE + 2xx: no change (the same object: nothing to write)', () => {
    expect(nextWebhookStatus(clean, ok, now)).toBe(clean);
  });

  it('ACTIVE + temporary error → INACTIVE_TMP, the first error starts the 24 h clock', () => {
    expect(nextWebhookStatus(clean, temporary, now)).toEqual({ status: 'INACTIVE_TMP', firstErrorAt: now, lastErrorAt: now, note: 'HTTP 503' });
  });

  it('ACTIVE_TMP + temporary error → INACTIVE_TMP, keeping the first error', () => {
    const tmp: WebhookHealth = { status: 'ACTIVE_TMP', firstErrorAt: ago(3_600_000), lastErrorAt: ago(120_000), note: 'HTTP 500' };
    expect(nextWebhookStatus(tmp, temporary, now)).toEqual({ status: 'INACTIVE_TMP', firstErrorAt: tmp.firstErrorAt, lastErrorAt: now, note: 'HTTP 503' });
  });

  it('temporary errors for 24 h since the first → INACTIVE_PERMANENT', () => {
    const tmp: WebhookHealth = { status: 'ACTIVE_TMP', firstErrorAt: ago(GIVE_UP_AFTER_MS), lastErrorAt: ago(120_000), note: 'HTTP 500' };
    const next = nextWebhookStatus(tmp, temporary, now);
    expect(next).toMatchObject({ status: 'INACTIVE_PERMANENT', firstErrorAt: tmp.firstErrorAt, lastErrorAt: now });
    expect(next.note).toMatch(/more than 24 hours.*HTTP 503/);
    // a minute short of it: still temporary
    expect(nextWebhookStatus({ ...tmp, firstErrorAt: ago(GIVE_UP_AFTER_MS - 60_000) }, temporary, now).status).toBe('INACTIVE_TMP');
  });

  it.each(['ACTIVE', 'ACTIVE_TMP', 'INACTIVE_TMP'] as const)('%s + permanent error (3xx/4xx) → INACTIVE_PERMANENT at once', (status) => {
    const from: WebhookHealth = status === 'ACTIVE' ? clean : { status, firstErrorAt: ago(600_000), lastErrorAt: ago(60_000), note: 'x' };
    expect(nextWebhookStatus(from, permanent, now)).toEqual({ status: 'INACTIVE_PERMANENT', firstErrorAt: now, lastErrorAt: now, note: 'HTTP 404' });
  });

  it.each(['ACTIVE_TMP', 'INACTIVE_TMP'] as const)('%s + 2xx → ACTIVE, errors cleared (DefectDojo waits 24 h; we need not)', (status) => {
    const next = nextWebhookStatus({ status, firstErrorAt: ago(600_000), lastErrorAt: ago(60_000), note: 'HTTP 503' }, ok, now);
    expect(next).toEqual({ status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: `Reactivated by a successful delivery (was ${status})` });
  });

  it('INACTIVE_PERMANENT + 2xx: stays off (only an admin switches it on)', () => {
    const off: WebhookHealth = { status: 'INACTIVE_PERMANENT', firstErrorAt: now, lastErrorAt: now, note: 'Switched off by an admin' };
    expect(nextWebhookStatus(off, ok, now)).toBe(off);
  });

  it('keeps 1,000 characters of the error in note', () => {
    expect(nextWebhookStatus(clean, { kind: 'temporary', note: 'x'.repeat(5000) }, now).note).toHaveLength(NOTE_MAX);
  });
});

describe('settledWebhookStatus (the time-driven transitions)', () => {
  it('INACTIVE_TMP → ACTIVE_TMP 60 s after the last error, not before', () => {
    const resting: WebhookHealth = { status: 'INACTIVE_TMP', firstErrorAt: ago(REACTIVATE_AFTER_MS), lastErrorAt: ago(REACTIVATE_AFTER_MS - 1000), note: 'HTTP 503' };
    expect(settledWebhookStatus(resting, now)).toBe(resting);
    expect(settledWebhookStatus({ ...resting, lastErrorAt: ago(REACTIVATE_AFTER_MS) }, now)).toEqual({ ...resting, lastErrorAt: ago(REACTIVATE_AFTER_MS), status: 'ACTIVE_TMP' });
  });

  it('ACTIVE_TMP quiet for 24 h → ACTIVE, errors cleared (DefectDojo\'s webhook_status_cleanup)', () => {
    const tmp: WebhookHealth = { status: 'ACTIVE_TMP', firstErrorAt: ago(GIVE_UP_AFTER_MS + 1000), lastErrorAt: ago(GIVE_UP_AFTER_MS), note: 'HTTP 503' };
    expect(settledWebhookStatus(tmp, now)).toEqual({ status: 'ACTIVE', firstErrorAt: null, lastErrorAt: null, note: 'Reactivation from active_tmp' });
    expect(settledWebhookStatus({ ...tmp, lastErrorAt: ago(1000) }, now).status).toBe('ACTIVE_TMP');
  });

  it('ACTIVE and INACTIVE_PERMANENT do not move with time', () => {
    const off: WebhookHealth = { status: 'INACTIVE_PERMANENT', firstErrorAt: ago(10 * GIVE_UP_AFTER_MS), lastErrorAt: ago(10 * GIVE_UP_AFTER_MS), note: 'x' };
    expect(settledWebhookStatus(off, now)).toBe(off);
    expect(settledWebhookStatus(clean, now)).toBe(clean);
  });
});

describe('webhookTakesSends', () => {
  it('ACTIVE and ACTIVE_TMP take sends', () => {
    expect(webhookTakesSends(clean, now)).toEqual({ ok: true });
    expect(webhookTakesSends({ status: 'ACTIVE_TMP', firstErrorAt: ago(1000), lastErrorAt: ago(1000), note: null }, now)).toEqual({ ok: true });
  });

  it('INACTIVE_TMP waits out the rest of its 60 s, then takes sends', () => {
    const resting: WebhookHealth = { status: 'INACTIVE_TMP', firstErrorAt: ago(20_000), lastErrorAt: ago(20_000), note: null };
    expect(webhookTakesSends(resting, now)).toEqual({ ok: false, retryAfterMs: REACTIVATE_AFTER_MS - 20_000 });
    expect(webhookTakesSends({ ...resting, lastErrorAt: ago(REACTIVATE_AFTER_MS) }, now)).toEqual({ ok: true });
  });

  it('INACTIVE_PERMANENT waits for an admin: no time is known', () => {
    expect(webhookTakesSends({ status: 'INACTIVE_PERMANENT', firstErrorAt: now, lastErrorAt: now, note: null }, now)).toEqual({ ok: false, retryAfterMs: null });
  });
});
