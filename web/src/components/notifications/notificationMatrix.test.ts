// The matrix ↔ updateNotificationSettings input: which methods each scope offers, and that a save
// sends only the rows and digests that changed (the server keeps every event left out as it is).
import { describe, expect, it } from 'vitest';
import {
  changedRows, draftFromSettings, eventLabel, methodsForScope, scopesFor, setDigest, setMinimumSeverity, settingsInput,
  takesDigests, takesMinimumSeverity, toggleMethod,
} from './notificationMatrix';

const stored = {
  scope: 'PERSONAL' as const,
  product: null,
  events: [
    { event: 'scan_added', methods: ['MAIL' as const], minimumSeverity: 'HIGH' as const },
    { event: 'product_added', methods: [], minimumSeverity: null },
    // set through the API: Teams means nothing for a person, but a save must not drop it silently
    { event: 'record_new', methods: ['MSTEAMS' as const, 'ALERT' as const], minimumSeverity: null },
  ],
  digests: [{ method: 'MAIL' as const, frequency: 'IMMEDIATE' as const }, { method: 'SLACK' as const, frequency: 'DAILY' as const }],
};

describe('which methods a scope offers', () => {
  it('offers a person alert, mail and Slack; the system every channel', () => {
    expect(methodsForScope('PERSONAL')).toEqual(['ALERT', 'MAIL', 'SLACK']);
    expect(methodsForScope('PRODUCT')).toEqual(['ALERT', 'MAIL', 'SLACK']);
    expect(methodsForScope('TEMPLATE')).toEqual(['ALERT', 'MAIL', 'SLACK']);
    expect(methodsForScope('SYSTEM')).toEqual(['ALERT', 'MAIL', 'SLACK', 'MSTEAMS', 'WEBHOOKS']);
  });

  it('shows SYSTEM and TEMPLATE to superusers only, digests on PERSONAL only, severity on finding events only', () => {
    expect(scopesFor(false)).toEqual(['PERSONAL', 'PRODUCT']);
    expect(scopesFor(true)).toEqual(['PERSONAL', 'PRODUCT', 'SYSTEM', 'TEMPLATE']);
    expect(['PERSONAL', 'PRODUCT', 'SYSTEM', 'TEMPLATE'].filter((s) => takesDigests(s as never))).toEqual(['PERSONAL']);
    expect(takesMinimumSeverity('scan_added')).toBe(true);
    expect(takesMinimumSeverity('sla_breach_combined')).toBe(true);
    expect(takesMinimumSeverity('product_added')).toBe(false);
    expect(eventLabel('sla_breach_combined')).toBe('Sla breach combined');
  });
});

describe('matrix ↔ settings input', () => {
  it('reads the stored settings into rows (methods in matrix order) and digests', () => {
    const draft = draftFromSettings(stored);
    expect(draft.rows).toEqual([
      { event: 'scan_added', methods: ['MAIL'], minimumSeverity: 'HIGH' },
      { event: 'product_added', methods: [], minimumSeverity: null },
      { event: 'record_new', methods: ['ALERT', 'MSTEAMS'], minimumSeverity: null },
    ]);
    expect(draft.digests).toEqual({ MAIL: 'IMMEDIATE', SLACK: 'DAILY' });
    expect(draftFromSettings(null)).toEqual({ rows: [], digests: {} });
  });

  it('sends nothing when nothing changed, also after a change undone', () => {
    const saved = draftFromSettings(stored);
    expect(settingsInput('PERSONAL', null, saved, saved)).toBeNull();
    const undone = toggleMethod(toggleMethod(saved, 'scan_added', 'ALERT', true), 'scan_added', 'ALERT', false);
    expect(changedRows(saved, undone)).toEqual([]);
    expect(settingsInput('PERSONAL', null, saved, undone)).toBeNull();
  });

  it('sends only the changed rows, whole, keeping methods the scope does not show', () => {
    const saved = draftFromSettings(stored);
    let draft = toggleMethod(saved, 'scan_added', 'ALERT', true);
    draft = toggleMethod(draft, 'record_new', 'ALERT', false);
    expect(settingsInput('PERSONAL', null, saved, draft)).toEqual({
      scope: 'PERSONAL',
      productId: null,
      events: [
        { event: 'scan_added', methods: ['ALERT', 'MAIL'], minimumSeverity: 'HIGH' },
        { event: 'record_new', methods: ['MSTEAMS'], minimumSeverity: null },
      ],
    });
  });

  it('sends a minimum severity change, and clearing it as null', () => {
    const saved = draftFromSettings(stored);
    expect(settingsInput('PERSONAL', null, saved, setMinimumSeverity(saved, 'scan_added', null))!.events)
      .toEqual([{ event: 'scan_added', methods: ['MAIL'], minimumSeverity: null }]);
    expect(settingsInput('PERSONAL', null, saved, setMinimumSeverity(saved, 'scan_added', 'CRITICAL'))!.events)
      .toEqual([{ event: 'scan_added', methods: ['MAIL'], minimumSeverity: 'CRITICAL' }]);
  });

  it('sends changed digests for PERSONAL only, and the product for PRODUCT only', () => {
    const saved = draftFromSettings(stored);
    const hourly = setDigest(saved, 'MAIL', 'HOURLY');
    expect(settingsInput('PERSONAL', null, saved, hourly)).toEqual({ scope: 'PERSONAL', productId: null, events: [], digests: [{ method: 'MAIL', frequency: 'HOURLY' }] });
    // back to "immediately" is a change too
    expect(settingsInput('PERSONAL', null, saved, setDigest(saved, 'SLACK', 'IMMEDIATE'))!.digests).toEqual([{ method: 'SLACK', frequency: 'IMMEDIATE' }]);
    expect(settingsInput('SYSTEM', null, saved, hourly)).toBeNull();
    const product = settingsInput('PRODUCT', 'UHJvZHVjdDox', saved, toggleMethod(saved, 'product_added', 'SLACK', true));
    expect(product).toEqual({ scope: 'PRODUCT', productId: 'UHJvZHVjdDox', events: [{ event: 'product_added', methods: ['SLACK'], minimumSeverity: null }] });
    expect(settingsInput('TEMPLATE', 'UHJvZHVjdDox', saved, toggleMethod(saved, 'product_added', 'SLACK', true))!.productId).toBeNull();
  });
});
