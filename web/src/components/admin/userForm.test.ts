// The user forms: an edit sends only what changed; no global role is null.
import { describe, expect, it } from 'vitest';
import { createUserInput, draftFromUser, updateUserInput } from './userForm';

const user = {
  id: 'VXNlcjoy', email: 'ana@example.com', name: 'Ana', globalRole: 'READER' as const, isSuperuser: false, isActive: true, createdAt: null,
  memberships: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
};

describe('user forms', () => {
  it('edits only the changed fields, removing the global role as null', () => {
    const draft = draftFromUser(user);
    expect(updateUserInput(user, draft)).toBeNull();
    expect(updateUserInput(user, { ...draft, globalRole: '' })).toEqual({ id: user.id, globalRole: null });
    expect(updateUserInput(user, { ...draft, globalRole: 'OWNER', isActive: false, name: ' Ana B ' })).toEqual({ id: user.id, globalRole: 'OWNER', isActive: false, name: 'Ana B' });
  });

  it('creates with a trimmed email, no name as null and no global role as null', () => {
    expect(createUserInput({ email: ' bo@example.com ', name: '', password: 'pw pw pw pw', globalRole: '', isSuperuser: false }))
      .toEqual({ email: 'bo@example.com', name: null, password: 'pw pw pw pw', globalRole: null, isSuperuser: false });
  });
});
