// Text helpers the chat channels (Slack, Teams) share, and the pacing that keeps them under the
// services' per-destination rate limits.
import { DeliveryError } from '../message.ts';

/** scan_added → "Scan added" */
export function humanEvent(event: string): string {
  const words = event.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/**
 * Spaces calls to one destination `intervalMs` apart within this process. A wait beyond
 * `maxWaitMs` throws a retryable DeliveryError carrying the wait, so the delivery loop reschedules.
 */
export function createPacer(intervalMs: number, maxWaitMs: number, service: string) {
  const nextAt = new Map<string, number>();
  return {
    async wait(key: string): Promise<void> {
      const now = Date.now();
      if (nextAt.size > 1_000) for (const [k, at] of nextAt) if (at < now) nextAt.delete(k);
      const at = Math.max(now, nextAt.get(key) ?? 0);
      if (at - now > maxWaitMs) throw new DeliveryError(`${service}: sending too fast to one destination; waiting ${at - now} ms`, true, at - now);
      nextAt.set(key, at + intervalMs);
      if (at > now) await new Promise((r) => setTimeout(r, at - now));
    },
    /** the destination asked for a pause (Retry-After): later calls wait it out too */
    holdOff(key: string, ms: number): void {
      nextAt.set(key, Math.max(nextAt.get(key) ?? 0, Date.now() + ms));
    },
  };
}
