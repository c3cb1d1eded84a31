// The system settings form sends what changed, and the write-only secrets only when typed.
import { describe, expect, it } from 'vitest';
import { draftFromSystemSettings, systemSettingsInput } from './systemSettingsForm';

const stored = {
  mailTo: 'sec@example.com', enableMail: true,
  slackChannel: '#security', hasSlackToken: true, enableSlack: false,
  hasMsteamsUrl: false, enableMsteams: false,
  enableWebhooks: true,
  slaCriticalDays: 7, slaHighDays: 30, slaMediumDays: 90, slaLowDays: 120,
  engagementAutoClose: false, engagementAutoCloseDays: 3,
};

describe('system settings form', () => {
  it('starts the secrets empty and sends nothing when nothing changed', () => {
    const saved = draftFromSystemSettings(stored);
    expect(saved.slackToken).toBe('');
    expect(saved.msteamsUrl).toBe('');
    expect(systemSettingsInput(saved, { ...saved })).toBeNull();
    // whitespace around a text is not a change
    expect(systemSettingsInput(saved, { ...saved, mailTo: ' sec@example.com ' })).toBeNull();
  });

  it('sends only the changed fields, the SLA days as integers, an emptied number not at all', () => {
    const saved = draftFromSystemSettings(stored);
    expect(systemSettingsInput(saved, { ...saved, enableSlack: true, slaHighDays: 14, slaLowDays: '', mailTo: 'a@example.com, b@example.com' }))
      .toEqual({ enableSlack: true, slaHighDays: 14, mailTo: 'a@example.com, b@example.com' });
    expect(systemSettingsInput(saved, { ...saved, engagementAutoClose: true, engagementAutoCloseDays: 0 }))
      .toEqual({ engagementAutoClose: true, engagementAutoCloseDays: 0 });
  });

  it('sends a typed Slack token or Teams URL, trimmed, and never an empty one by accident', () => {
    const saved = draftFromSystemSettings(stored);
    expect(systemSettingsInput(saved, { ...saved, slackToken: ' xoxb-1 ', msteamsUrl: 'https://teams.example/wf' }))
      .toEqual({ slackToken: 'xoxb-1', msteamsUrl: 'https://teams.example/wf' });
    expect(systemSettingsInput(saved, { ...saved, slackToken: '   ' })).toBeNull();
  });
});
