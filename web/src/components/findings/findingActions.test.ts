// Which status changes the finding page offers: by the viewer's role and the finding's flags.
import { describe, expect, it } from 'vitest';
import { membershipRole, productPermissions } from '../product/productPermissions';
import { allowedFindingActions, findingAction, statusLabels } from './findingActions';

const open = { active: true, verified: false, falsePositive: false, riskAccepted: false, outOfScope: false, isMitigated: false, duplicate: false };
const keys = (actions: { key: string }[]) => actions.map((a) => a.key);
const user = (globalRole: 'READER' | 'WRITER' | 'MAINTAINER' | 'OWNER' | 'API_IMPORTER' | null, isSuperuser = false) => ({ id: 'me', isSuperuser, globalRole });

describe('allowed finding actions', () => {
  it('offers a writer every change that applies, and a superuser too', () => {
    expect(keys(allowedFindingActions(open, productPermissions(user(null), 'WRITER')))).toEqual(['verify', 'falsePositive', 'riskAccept', 'close']);
    expect(keys(allowedFindingActions(open, productPermissions(user(null, true), null)))).toEqual(['verify', 'falsePositive', 'riskAccept', 'close']);
  });

  it('offers a reader, an API importer or a stranger no status change', () => {
    for (const role of ['READER', 'API_IMPORTER', null] as const) {
      expect(allowedFindingActions(open, productPermissions(user(null), role))).toEqual([]);
    }
    expect(productPermissions(user(null), 'READER').has('note.add')).toBe(true);
    expect(productPermissions(user(null), 'API_IMPORTER').has('note.add')).toBe(false);
    expect(productPermissions(null, 'OWNER').size).toBe(0);
  });

  it('takes the higher of the global role and the membership', () => {
    expect(keys(allowedFindingActions(open, productPermissions(user('WRITER'), 'READER')))).toContain('close');
    expect(keys(allowedFindingActions(open, productPermissions(user('READER'), 'MAINTAINER')))).toContain('close');
  });

  it('offers reopen only for a closed finding, clearing just the flags that are set', () => {
    const writer = productPermissions(user(null), 'WRITER');
    const fp = { ...open, active: false, falsePositive: true, verified: true };
    expect(keys(allowedFindingActions(fp, writer))).toEqual(['riskAccept', 'close', 'reopen']);
    expect(findingAction('reopen').patch(fp)).toEqual({ falsePositive: false });
    expect(findingAction('reopen').patch({ ...open, isMitigated: true, riskAccepted: true })).toEqual({ riskAccepted: false, isMitigated: false });
    // a duplicate is the tool's call: nothing a person can clear
    expect(keys(allowedFindingActions({ ...open, active: false, duplicate: true }, writer))).not.toContain('reopen');
  });

  it("finds the viewer's membership among the product's members", () => {
    const members = { totalCount: 2, nodes: [{ id: 'm1', role: 'OWNER' as const, user: { id: 'other', name: 'O', email: 'o@x' } }, { id: 'm2', role: 'WRITER' as const, user: { id: 'me', name: 'Me', email: 'me@x' } }] };
    expect(membershipRole({ id: 'me' }, members)).toBe('WRITER');
    expect(membershipRole({ id: 'nobody' }, members)).toBeNull();
    expect(membershipRole(null, members)).toBeNull();
  });

  it('says what the flags add up to', () => {
    expect(statusLabels(open)).toEqual(['Active']);
    expect(statusLabels({ ...open, active: false, verified: true, falsePositive: true, underReview: true })).toEqual(['Inactive', 'Verified', 'False positive', 'Under review']);
  });
});
