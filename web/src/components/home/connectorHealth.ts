// A connector's health as Home shows it, read from its newest operation (the API has no health field).
export type Health = 'healthy' | 'failing' | 'running' | 'never-run';

export function connectorHealth(latest: { status: string | null } | null | undefined): Health {
  if (!latest) return 'never-run';
  if (latest.status === 'FAILED') return 'failing';
  if (latest.status === 'RUNNING' || latest.status === 'PENDING') return 'running';
  return 'healthy';
}

export const HEALTH_LABELS: Record<Health, string> = {
  healthy: 'Healthy',
  failing: 'Failing',
  running: 'Running',
  'never-run': 'Never run',
};
