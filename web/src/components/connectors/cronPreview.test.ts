// The schedule preview: next runs in UTC (as the server runs them), manual, and the problems.
import { describe, expect, it } from 'vitest';
import { describeRun, previewCron, summarizeCron } from './cronPreview';

const from = new Date('2026-01-01T00:30:00Z');

describe('previewCron', () => {
  it('lists the next runs in UTC', () => {
    const preview = previewCron('0 2 * * *', from);
    expect(preview.kind).toBe('runs');
    expect(preview.kind === 'runs' && preview.runs.map((d) => d.toISOString())).toEqual(['2026-01-01T02:00:00.000Z', '2026-01-02T02:00:00.000Z', '2026-01-03T02:00:00.000Z']);
  });

  it('skips the weekend for "1-5"', () => {
    const preview = previewCron('15 6 * * 1-5', new Date('2026-01-02T07:00:00Z'), 2);
    expect(preview.kind === 'runs' && preview.runs.map((d) => d.toISOString())).toEqual(['2026-01-05T06:15:00.000Z', '2026-01-06T06:15:00.000Z']);
  });

  it('reads an empty expression as manual only', () => {
    expect(previewCron('  ')).toEqual({ kind: 'manual' });
    expect(summarizeCron({ kind: 'manual' })).toBe('Runs only when started by hand.');
  });

  it('wants exactly five fields, as the server does', () => {
    expect(previewCron('0 2 * *')).toEqual({ kind: 'invalid', problem: 'Use 5 fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *".' });
    expect(previewCron('0 0 2 * * *').kind).toBe('invalid');
    expect(previewCron('@daily').kind).toBe('invalid');
  });

  it('names an out-of-range value', () => {
    const preview = previewCron('61 * * * *', from);
    expect(preview.kind).toBe('invalid');
    expect(preview.kind === 'invalid' && preview.problem).toMatch(/minute/);
  });
});

describe('describeRun', () => {
  it('writes the UTC time, and the reader’s own when their zone differs', () => {
    const run = new Date('2026-01-01T02:00:00Z');
    expect(describeRun(run, new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC' }))).toBe('Thu, 1 Jan 2026, 02:00 UTC');
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    expect(describeRun(run, berlin)).toBe('Thu, 1 Jan 2026, 02:00 UTC (Thu 03:00 your time)');
  });
});
