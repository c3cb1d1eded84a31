// A channel sends one delivery. Each method (ALERT, MAIL, SLACK, MSTEAMS, WEBHOOKS) has one file
// beside this, registered in index.ts; the delivery loop (deliver.ts) calls it and owns retries.
import type { Delivery } from '@tributary/db';
import type { Services } from '../../services.ts';
import type { DeliveryPayload } from '../message.ts';

export interface ChannelContext {
  services: Services;
  delivery: Delivery;
  payload: DeliveryPayload;
  /** the system settings row (decrypt secrets with services.secrets) */
  system: import('@tributary/db').SystemSettings;
}

/** Sends, or throws DeliveryError (message.ts); any other error counts as retryable. */
export type Channel = (ctx: ChannelContext) => Promise<void>;
