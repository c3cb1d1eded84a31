// What the viewer may do on one product, worked out in the client from what the API exposes: the
// viewer's global role and superuser flag (Query.viewer) and their membership role (Product.members).
// The API has no "what may I do" field, so this mirrors server/src/auth/permissions.ts (DefectDojo's
// role table) for the permissions the pages act on; the server still decides, and its FORBIDDEN
// message is shown if the two ever disagree.
import type { ResultOf } from '../../graphql/tada';
import type { ProductMemberFields } from '../../graphql/products';
import type { Viewer } from '../../session';

export type ProductRole = 'READER' | 'API_IMPORTER' | 'WRITER' | 'MAINTAINER' | 'OWNER';
export type ProductPermission = 'engagement.edit' | 'finding.edit' | 'finding.riskAccept' | 'finding.delete' | 'note.add';

const reader: ProductPermission[] = ['note.add'];
const writer: ProductPermission[] = [...reader, 'engagement.edit', 'finding.edit', 'finding.riskAccept'];

const ROLE_PERMISSIONS: Record<ProductRole, readonly ProductPermission[]> = {
  READER: reader,
  API_IMPORTER: ['engagement.edit'],
  WRITER: writer,
  MAINTAINER: [...writer, 'finding.delete'],
  OWNER: [...writer, 'finding.delete'],
};

type Members = ResultOf<typeof ProductMemberFields>['members'];

/** the viewer's membership role on the product, from the product's members */
export function membershipRole(viewer: Pick<Viewer, 'id'> | null, members: Members | null | undefined): ProductRole | null {
  if (!viewer) return null;
  return members?.nodes.find((member) => member.user?.id === viewer.id)?.role ?? null;
}

/** roles only add: the union of the global role's and the membership's permissions (superusers: all) */
export function productPermissions(viewer: Pick<Viewer, 'isSuperuser' | 'globalRole'> | null, role: ProductRole | null): ReadonlySet<ProductPermission> {
  if (!viewer) return new Set();
  if (viewer.isSuperuser) return new Set(Object.values(ROLE_PERMISSIONS).flat());
  return new Set([viewer.globalRole, role].flatMap((r) => (r ? ROLE_PERMISSIONS[r] : [])));
}
