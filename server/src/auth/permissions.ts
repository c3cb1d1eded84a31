// DefectDojo's role → permission table (research/defectdojo.md §2d). Roles only add permissions; a
// user's role on a product is the highest of their global role and their membership there.
import type { ProductRole } from '@tributary/db';

export type Permission =
  | 'product.view' | 'product.edit' | 'product.delete' | 'product.manageMembers' | 'product.addOwner'
  | 'product.configureNotifications'
  | 'engagement.add' | 'engagement.edit' | 'engagement.delete'
  | 'test.add' | 'test.edit' | 'test.delete'
  | 'finding.add' | 'finding.edit' | 'finding.delete' | 'finding.riskAccept'
  | 'note.add' | 'import';

const reader: Permission[] = ['product.view', 'note.add'];
const apiImporter: Permission[] = ['product.view', 'engagement.add', 'engagement.edit', 'test.edit', 'import'];
const writer: Permission[] = [...reader, 'engagement.add', 'engagement.edit', 'test.add', 'test.edit', 'finding.add', 'finding.edit', 'finding.riskAccept', 'import'];
const maintainer: Permission[] = [...writer, 'product.edit', 'product.manageMembers', 'product.configureNotifications', 'engagement.delete', 'test.delete', 'finding.delete'];
const owner: Permission[] = [...maintainer, 'product.delete', 'product.addOwner'];

export const rolePermissions: Record<ProductRole, ReadonlySet<Permission>> = {
  READER: new Set(reader),
  API_IMPORTER: new Set(apiImporter),
  WRITER: new Set(writer),
  MAINTAINER: new Set(maintainer),
  OWNER: new Set(owner),
};

/** The union of what each role grants (DefectDojo: several roles in one scope combine). */
export function permissionsOf(roles: Array<ProductRole | null | undefined>): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) if (role) for (const p of rolePermissions[role]) out.add(p);
  return out;
}
