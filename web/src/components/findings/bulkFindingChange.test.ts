// Bulk status changes: one call per finding, every failure named, the summary honest about a mix.
import { describe, expect, it } from 'vitest';
import { findingAction } from './findingActions';
import { runBulkChange, summarizeBulk } from './bulkFindingChange';

const finding = (id: string, flags: Record<string, boolean> = {}) => ({ id, title: `Finding ${id}`, active: true, isMitigated: false, ...flags });

describe('bulk finding change', () => {
  it('changes each finding once, skips those already changed, and names the failures', async () => {
    const calls: Array<[string, unknown]> = [];
    const close = findingAction('close');
    const outcomes = await runBulkChange(
      [finding('a'), finding('b', { isMitigated: true }), finding('c'), finding('d')],
      close,
      async (id, patch) => {
        calls.push([id, patch]);
        if (id === 'c') return 'You are not allowed to edit this finding.';
        if (id === 'd') throw new Error('network down');
        return null;
      },
      2,
    );
    expect(calls.sort()).toEqual([['a', { isMitigated: true }], ['c', { isMitigated: true }], ['d', { isMitigated: true }]]);
    expect(outcomes.map((o) => o.status)).toEqual(['changed', 'skipped', 'failed', 'failed']);
    const summary = summarizeBulk(outcomes, close);
    expect(summary).toEqual({
      text: '1 of 4 findings closed; 1 already closed; 2 failed.',
      tone: 'partial',
      failures: [
        { id: 'c', title: 'Finding c', message: 'You are not allowed to edit this finding.' },
        { id: 'd', title: 'Finding d', message: 'network down' },
      ],
      changedIds: ['a'],
    });
  });

  it('reads as a success when all worked and a failure when none did', async () => {
    const fp = findingAction('falsePositive');
    const ok = await runBulkChange([finding('a')], fp, async () => null);
    expect(summarizeBulk(ok, fp)).toMatchObject({ text: '1 of 1 finding marked false positive.', tone: 'success', failures: [] });
    const denied = await runBulkChange([finding('a'), finding('b')], fp, async () => 'No.');
    expect(summarizeBulk(denied, fp)).toMatchObject({ text: '0 of 2 findings marked false positive; 2 failed.', tone: 'failure' });
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await runBulkChange(Array.from({ length: 9 }, (_, i) => finding(String(i))), findingAction('verify'), async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return null;
    }, 3);
    expect(most).toBe(3);
  });
});
