// How each state, status and severity looks: one table, so a record state reads the same on every page.

export type Tone = 'good' | 'info' | 'warn' | 'bad' | 'muted' | 'critical' | 'running';

export const STATE_TONES: Record<string, Tone> = {
  // record states
  NEW: 'info', GOOD: 'good', IGNORED: 'muted', STALE: 'warn', MISSING: 'bad',
  // operation statuses
  PENDING: 'muted', RUNNING: 'running', SUCCEEDED: 'good', FAILED: 'bad',
  // severities
  CRITICAL: 'critical', HIGH: 'bad', MEDIUM: 'warn', LOW: 'info', INFO: 'muted',
  // webhook and delivery states
  ACTIVE: 'good', ACTIVE_TMP: 'warn', INACTIVE_TMP: 'warn', INACTIVE_PERMANENT: 'bad', SENT: 'good', DEAD: 'bad',
};

/** "INACTIVE_TMP" → "Inactive tmp" */
export function stateLabel(value: string): string {
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
