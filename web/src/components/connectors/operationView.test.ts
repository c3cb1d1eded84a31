// An operation's live progress and its stats line.
import { describe, expect, it } from 'vitest';
import { operationProgress, statsLine } from './operationView';

describe('operationProgress', () => {
  it('measures a running sync by records done of all, with the findings so far', () => {
    expect(operationProgress({ status: 'RUNNING', type: 'SYNC', progress: { recordsDone: 2, recordsTotal: 5, findings: 1234 } }))
      .toEqual({ value: 2, max: 5, text: `2 of 5 records · ${(1234).toLocaleString()} findings` });
  });

  it('is indeterminate while pending, before the first step, and for a discover', () => {
    expect(operationProgress({ status: 'PENDING', type: 'SYNC', progress: null })).toEqual({ value: null, max: 1, text: 'Waiting for a worker' });
    expect(operationProgress({ status: 'RUNNING', type: 'SYNC', progress: null })).toEqual({ value: null, max: 1, text: 'Starting' });
    expect(operationProgress({ status: 'RUNNING', type: 'DISCOVER', progress: { recordsDiscovered: 1 } })).toEqual({ value: null, max: 1, text: '1 project found' });
    expect(operationProgress({ status: 'RUNNING', type: 'DISCOVER', progress: 'garbage' })).toEqual({ value: null, max: 1, text: 'Listing projects' });
  });

  it('is null once finished', () => {
    expect(operationProgress({ status: 'SUCCEEDED', type: 'SYNC', progress: { recordsDone: 5, recordsTotal: 5 } })).toBeNull();
  });
});

describe('statsLine', () => {
  it('lists what a sync or a discover did, zeros left out', () => {
    const stats = { recordsDiscovered: 4, recordsNew: 4, recordsMissing: 0, recordsSynced: 2, findingsNew: 12, findingsClosed: 0, findingsReactivated: 1, findingsUntouched: 3, findingsRejected: 0 };
    expect(statsLine({ type: 'SYNC', stats })).toBe('2 records synced · 12 new · 1 reactivated · 3 untouched');
    expect(statsLine({ type: 'DISCOVER', stats })).toBe('4 found · 4 new');
    expect(statsLine({ type: 'SYNC', stats: { ...stats, recordsSynced: 1, findingsReactivated: 0, findingsUntouched: 0 } })).toBe('1 record synced · 12 new');
    expect(statsLine({ type: 'DISCOVER', stats: { ...stats, recordsDiscovered: 0, recordsNew: 0 } })).toBe('nothing changed');
    expect(statsLine({ type: 'SYNC', stats: null })).toBe('—');
  });
});
