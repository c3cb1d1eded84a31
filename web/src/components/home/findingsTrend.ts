// Findings opened and closed per day from the syncs that ended in the window: the only history the
// API offers (each sync's stats.findingsNew / findingsClosed). Manual findings are not in it.
import { lastDays } from '../../format/dates';

export interface SyncOutcome {
  endedAt: string | null;
  status: string | null;
  stats: { findingsNew: number | null; findingsClosed: number | null } | null;
}

export interface DailyFindings { day: string; opened: number; closed: number }

export function findingsPerDay(syncs: readonly SyncOutcome[], days: number, now: Date = new Date()): DailyFindings[] {
  const byDay = new Map(lastDays(days, now).map((day) => [day, { day, opened: 0, closed: 0 }]));
  for (const sync of syncs) {
    if (sync.status !== 'SUCCEEDED' || !sync.endedAt || !sync.stats) continue;
    const bucket = byDay.get(sync.endedAt.slice(0, 10));
    if (!bucket) continue;
    bucket.opened += sync.stats.findingsNew ?? 0;
    bucket.closed += sync.stats.findingsClosed ?? 0;
  }
  return [...byDay.values()];
}
