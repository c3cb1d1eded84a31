import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelative } from './dates';
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
});

describe('home helpers', () => {
  it("reads a connector's health from its newest operation", () => {
    expect([null, { status: 'FAILED' }, { status: 'RUNNING' }, { status: 'PENDING' }, { status: 'SUCCEEDED' }].map(connectorHealth))
      .toEqual(['never-run', 'failing', 'running', 'running', 'healthy']);
  });

  it('reads the type out of a global id', () => {
    expect(typenameOfGlobalId(btoa('Connector:12'))).toBe('Connector');
    expect(typenameOfGlobalId('not base64 !')).toBeNull();
  });
});
