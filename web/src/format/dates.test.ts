import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelative, lastDays } from './dates';
import { findingsPerDay } from '../components/home/findingsTrend';
import { connectorHealth } from '../components/home/connectorHealth';
import { typenameOfGlobalId } from '../cache/globalId';

const NOW = new Date('2026-03-10T12:00:00Z');

describe('formatting', () => {
  it('writes durations people read', () => {
    expect([850, 4_200, 65_000, 7_260_000, null].map(formatDuration)).toEqual(['850 ms', '4 s', '1 min 5 s', '2 h 1 min', '—']);
  });

  it('writes recent times relative to now', () => {
    expect(formatRelative('2026-03-10T11:59:40Z', NOW)).toBe('just now');
    expect(formatRelative('2026-03-10T11:55:00Z', NOW)).toBe('5 min ago');
    expect(formatRelative('2026-03-10T09:00:00Z', NOW)).toBe('3 h ago');
    expect(formatRelative('2026-03-09T10:00:00Z', NOW)).toBe('yesterday');
    expect(formatRelative(null, NOW)).toBe('—');
  });

  it('lists the last days oldest first, ending today (UTC)', () => {
    expect(lastDays(3, NOW)).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
  });
});

describe('home helpers', () => {
  it('adds up what successful syncs opened and closed per day, inside the window only', () => {
    const syncs = [
      { endedAt: '2026-03-10T08:00:00Z', status: 'SUCCEEDED', stats: { findingsNew: 5, findingsClosed: 1 } },
      { endedAt: '2026-03-10T09:00:00Z', status: 'SUCCEEDED', stats: { findingsNew: 2, findingsClosed: null } },
      { endedAt: '2026-03-09T09:00:00Z', status: 'FAILED', stats: { findingsNew: 9, findingsClosed: 9 } },
      { endedAt: '2026-01-01T09:00:00Z', status: 'SUCCEEDED', stats: { findingsNew: 9, findingsClosed: 9 } },
      { endedAt: null, status: 'RUNNING', stats: null },
    ];
    expect(findingsPerDay(syncs, 2, NOW)).toEqual([
      { day: '2026-03-09', opened: 0, closed: 0 },
      { day: '2026-03-10', opened: 7, closed: 1 },
    ]);
  });

  it("reads a connector's health from its newest operation", () => {
    expect([null, { status: 'FAILED' }, { status: 'RUNNING' }, { status: 'PENDING' }, { status: 'SUCCEEDED' }].map(connectorHealth))
      .toEqual(['never-run', 'failing', 'running', 'running', 'healthy']);
  });

  it('reads the type out of a global id', () => {
    expect(typenameOfGlobalId(btoa('Connector:12'))).toBe('Connector');
    expect(typenameOfGlobalId('not base64 !')).toBeNull();
  });
});
