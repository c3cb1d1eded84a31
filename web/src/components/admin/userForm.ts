// A user's form ↔ createUser / updateUser input: an edit sends only the fields that changed, and
// "no global role" is sent as null (the server removes it).
import type { VariablesOf } from '../../graphql/tada';
import type { CreateUserMutation, UpdateUserMutation } from '../../graphql/admin';
import type { AdminUser } from '../../composables/useAdmin';

type CreateInput = VariablesOf<typeof CreateUserMutation>['input'];
type UpdateInput = VariablesOf<typeof UpdateUserMutation>['input'];
export type ProductRole = NonNullable<UpdateInput['globalRole']>;

/** least to most: what the role select lists */
export const PRODUCT_ROLES: readonly ProductRole[] = ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER'];

export interface UserDraft { name: string; globalRole: ProductRole | ''; isSuperuser: boolean; isActive: boolean }
export interface NewUserDraft { email: string; name: string; password: string; globalRole: ProductRole | ''; isSuperuser: boolean }

export function draftFromUser(user: AdminUser): UserDraft {
  return { name: user.name ?? '', globalRole: user.globalRole ?? '', isSuperuser: user.isSuperuser === true, isActive: user.isActive !== false };
}

/** null when nothing changed */
export function updateUserInput(user: AdminUser, draft: UserDraft): UpdateInput | null {
  const saved = draftFromUser(user);
  const input: UpdateInput = { id: user.id };
  if (draft.name.trim() !== saved.name) input.name = draft.name.trim();
  if (draft.globalRole !== saved.globalRole) input.globalRole = draft.globalRole || null;
  if (draft.isSuperuser !== saved.isSuperuser) input.isSuperuser = draft.isSuperuser;
  if (draft.isActive !== saved.isActive) input.isActive = draft.isActive;
  return Object.keys(input).length > 1 ? input : null;
}

export function createUserInput(draft: NewUserDraft): CreateInput {
  return {
    email: draft.email.trim(),
    name: draft.name.trim() || null,
    password: draft.password,
    globalRole: draft.globalRole || null,
    isSuperuser: draft.isSuperuser,
  };
}
