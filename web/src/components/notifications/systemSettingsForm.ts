// The system settings form ↔ updateSystemSettings' input. Only changed fields are sent (the server
// changes only the fields given); the Slack token and the Teams URL are write-only: the form starts
// them empty, sends them only when something was typed, and removing one is its own action.
import type { ResultOf, VariablesOf } from '../../graphql/tada';
import type { SystemSettingsFields, UpdateSystemSettingsMutation } from '../../graphql/notifications';

type Settings = ResultOf<typeof SystemSettingsFields>;
export type SystemSettingsInput = VariablesOf<typeof UpdateSystemSettingsMutation>['input'];

export const SLA_FIELDS = ['slaCriticalDays', 'slaHighDays', 'slaMediumDays', 'slaLowDays'] as const;
export const SLA_LABELS: Record<(typeof SLA_FIELDS)[number], string> = {
  slaCriticalDays: 'Critical', slaHighDays: 'High', slaMediumDays: 'Medium', slaLowDays: 'Low',
};
const TEXT_FIELDS = ['mailTo', 'slackChannel'] as const;
const FLAG_FIELDS = ['enableMail', 'enableSlack', 'enableMsteams', 'enableWebhooks', 'engagementAutoClose'] as const;
const NUMBER_FIELDS = [...SLA_FIELDS, 'engagementAutoCloseDays'] as const;

export interface SystemSettingsDraft {
  mailTo: string;
  enableMail: boolean;
  slackToken: string;
  slackChannel: string;
  enableSlack: boolean;
  msteamsUrl: string;
  enableMsteams: boolean;
  enableWebhooks: boolean;
  slaCriticalDays: number | '';
  slaHighDays: number | '';
  slaMediumDays: number | '';
  slaLowDays: number | '';
  engagementAutoClose: boolean;
  engagementAutoCloseDays: number | '';
}

export function draftFromSystemSettings(s: Settings | null | undefined): SystemSettingsDraft {
  return {
    mailTo: s?.mailTo ?? '',
    enableMail: s?.enableMail ?? false,
    slackToken: '',
    slackChannel: s?.slackChannel ?? '',
    enableSlack: s?.enableSlack ?? false,
    msteamsUrl: '',
    enableMsteams: s?.enableMsteams ?? false,
    enableWebhooks: s?.enableWebhooks ?? false,
    slaCriticalDays: s?.slaCriticalDays ?? '',
    slaHighDays: s?.slaHighDays ?? '',
    slaMediumDays: s?.slaMediumDays ?? '',
    slaLowDays: s?.slaLowDays ?? '',
    engagementAutoClose: s?.engagementAutoClose ?? false,
    engagementAutoCloseDays: s?.engagementAutoCloseDays ?? '',
  };
}

/** The input that stores what changed; null when nothing did. An emptied number is left out (the server keeps it). */
export function systemSettingsInput(saved: SystemSettingsDraft, draft: SystemSettingsDraft): SystemSettingsInput | null {
  const input: SystemSettingsInput = {};
  for (const k of TEXT_FIELDS) if (draft[k].trim() !== saved[k].trim()) input[k] = draft[k].trim();
  for (const k of FLAG_FIELDS) if (draft[k] !== saved[k]) input[k] = draft[k];
  for (const k of NUMBER_FIELDS) {
    const value = draft[k];
    if (value !== '' && value !== saved[k]) input[k] = Math.trunc(Number(value));
  }
  if (draft.slackToken.trim()) input.slackToken = draft.slackToken.trim();
  if (draft.msteamsUrl.trim()) input.msteamsUrl = draft.msteamsUrl.trim();
  return Object.keys(input).length ? input : null;
}
