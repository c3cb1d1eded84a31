// Each notification method's channel.
import type { NotificationMethod } from '@tributary/db';
import { sendAlert } from './alert.ts';
import type { Channel } from './channel.ts';
import { sendMail } from './mail.ts';
import { sendTeams } from './msteams.ts';
import { sendSlack } from './slack.ts';
import { sendWebhook } from './webhook.ts';

export const CHANNELS: Record<NotificationMethod, Channel> = {
  ALERT: sendAlert,
  MAIL: sendMail,
  SLACK: sendSlack,
  MSTEAMS: sendTeams,
  WEBHOOKS: sendWebhook,
};
