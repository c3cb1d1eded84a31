// Who is asking, and what they may do. Built once per request (one query for memberships) and
// rebuilt for every subscription event, so a user removed from a product stops seeing it at once.
import { GraphQLError } from 'graphql';
import type { PrismaClient, ProductRole, User } from '@tributary/db';
import { permissionsOf, type Permission } from './permissions.ts';

export class Viewer {
  constructor(readonly user: User, private readonly memberships: ReadonlyMap<number, ProductRole>) {}

  get id() { return this.user.id; }
  get isSuperuser() { return this.user.isSuperuser; }

  /** superusers and global Maintainers/Owners manage connectors and create products */
  get isGlobalManager(): boolean {
    return this.user.isSuperuser || this.user.globalRole === 'MAINTAINER' || this.user.globalRole === 'OWNER';
  }

  /** sees every product without a membership */
  get seesAllProducts(): boolean {
    return this.user.isSuperuser || this.user.globalRole !== null;
  }

  roleOn(productId: number): ProductRole | null {
    return this.memberships.get(productId) ?? null;
  }

  can(permission: Permission, productId: number): boolean {
    if (this.user.isSuperuser) return true;
    return permissionsOf([this.user.globalRole, this.memberships.get(productId)]).has(permission);
  }

  /** a Prisma `where` on Product limiting to what the viewer may see */
  productScope(): { members?: { some: { userId: number } } } {
    return this.seesAllProducts ? {} : { members: { some: { userId: this.user.id } } };
  }

  static async load(prisma: PrismaClient, userId: number): Promise<Viewer | null> {
    const user = await prisma.user.findUnique({ where: { id: userId }, include: { memberships: { select: { productId: true, role: true } } } });
    if (!user || !user.isActive) return null;
    const { memberships, ...rest } = user;
    return new Viewer(rest, new Map(memberships.map((m) => [m.productId, m.role])));
  }
}

export function unauthenticated(): GraphQLError {
  return new GraphQLError('You must be logged in (a session cookie or an "Authorization: Bearer <token>" header).', { extensions: { code: 'UNAUTHENTICATED' } });
}

export function forbidden(what: string): GraphQLError {
  return new GraphQLError(`You are not allowed to ${what}.`, { extensions: { code: 'FORBIDDEN' } });
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}
