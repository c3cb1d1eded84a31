// Who may see each object type: the one place a type's read rule is written. The builder runs these
// on every object the API returns (Pothos scope-auth `runScopesOnType`, checked in graphql-js's
// isTypeOf), whatever field, relation, payload or subscription returned it — so a new field that
// returns an object cannot skip the check, and the probe's ProductMember → user / product /
// Test.connector paths are closed by construction. The permission table is DefectDojo's
// (auth/permissions.ts): product objects follow product.view; connectors, their records and
// operations are global-role objects; alerts are their owner's only.
import type { Prisma } from '@tributary/db';
import { requestLoader, type Context } from './context.ts';

type Rule<T> = (parent: T, ctx: Context) => boolean | Promise<boolean>;

async function productVisible(ctx: Context, productId: Promise<number | undefined> | number | undefined): Promise<boolean> {
  const id = await productId;
  return id !== undefined && !!ctx.viewer?.can('product.view', id);
}

/**
 * The product a child belongs to, one query per batch of parents. Global roles see every product,
 * so for them (and for anonymous requests, who see none) no query is made at all.
 */
function productOf(ctx: Context, kind: 'engagement' | 'test' | 'finding', id: number): Promise<number | undefined> {
  return requestLoader(ctx, `visibility:${kind}`, async (ids: number[]) => {
    const rows = kind === 'engagement'
      ? await ctx.prisma.engagement.findMany({ where: { id: { in: ids } }, select: { id: true, productId: true } })
      : kind === 'test'
        ? (await ctx.prisma.test.findMany({ where: { id: { in: ids } }, select: { id: true, engagement: { select: { productId: true } } } }))
          .map((t) => ({ id: t.id, productId: t.engagement.productId }))
        : (await ctx.prisma.finding.findMany({ where: { id: { in: ids } }, select: { id: true, test: { select: { engagement: { select: { productId: true } } } } } }))
          .map((f) => ({ id: f.id, productId: f.test.engagement.productId }));
    return new Map(rows.map((r) => [r.id, r.productId]));
  }).load(id);
}

/** Through a parent in the product tree: free for global roles, a batched lookup for members. */
function viaParent(kind: 'engagement' | 'test' | 'finding', id: number, ctx: Context): boolean | Promise<boolean> {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.seesAllProducts) return true;
  return productVisible(ctx, productOf(ctx, kind, id));
}

const globalRoleOnly = (_: unknown, ctx: Context) => !!ctx.viewer?.seesAllProducts;

export const canSee = {
  product: ((p, ctx) => !!ctx.viewer?.can('product.view', p.id)) as Rule<{ id: number }>,
  productMember: ((m, ctx) => !!ctx.viewer?.can('product.view', m.productId)) as Rule<{ productId: number }>,
  engagement: ((e, ctx) => !!ctx.viewer?.can('product.view', e.productId)) as Rule<{ productId: number }>,
  test: ((t, ctx) => viaParent('engagement', t.engagementId, ctx)) as Rule<{ engagementId: number }>,
  testImport: ((i, ctx) => viaParent('test', i.testId, ctx)) as Rule<{ testId: number }>,
  finding: ((f, ctx) => viaParent('test', f.testId, ctx)) as Rule<{ testId: number }>,
  findingNote: ((n, ctx) => viaParent('finding', n.findingId, ctx)) as Rule<{ findingId: number }>,
  connector: globalRoleOnly as Rule<unknown>,
  record: globalRoleOnly as Rule<unknown>,
  operation: globalRoleOnly as Rule<unknown>,
  alert: ((a, ctx) => ctx.viewer?.id === a.userId) as Rule<{ userId: number }>,
  /** a token's name and use are its owner's only, superusers included */
  apiToken: ((a, ctx) => ctx.viewer?.id === a.userId) as Rule<{ userId: number }>,
  /** webhook endpoints are admin-only, as in DefectDojo */
  webhook: ((_w, ctx) => !!ctx.viewer?.isSuperuser) as Rule<unknown>,
  /** the delivery log is the superuser's (it names every recipient) */
  delivery: ((_d, ctx) => !!ctx.viewer?.isSuperuser) as Rule<unknown>,
  /**
   * Superusers and global roles (who see every product, its members and every operation's author),
   * the user themselves, and members of a product the user is also a member of.
   */
  user: (async (u, ctx) => {
    const viewer = ctx.viewer;
    if (!viewer) return false;
    if (viewer.seesAllProducts || viewer.id === u.id) return true;
    const products = await requestLoader(ctx, 'visibility:userProducts', async (ids: number[]) => {
      const rows = await ctx.prisma.productMember.findMany({ where: { userId: { in: ids } }, select: { userId: true, productId: true } });
      const out = new Map<number, number[]>();
      for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.productId]);
      return out;
    }).load(u.id);
    return (products ?? []).some((p) => viewer.roleOn(p) !== null);
  }) as Rule<{ id: number }>,
};

// The same rules as `where` clauses, for node(id:) and lists: what the viewer may not see is simply
// not found (null), before the per-object check above would refuse it.

/** A Prisma `where` on Product for what the requester may see; nothing when not logged in. */
export function visibleProducts(ctx: Pick<Context, 'viewer'>): Prisma.ProductWhereInput {
  return ctx.viewer ? ctx.viewer.productScope() : { id: -1 };
}

export function visibleUsers(ctx: Pick<Context, 'viewer'>): Prisma.UserWhereInput {
  const viewer = ctx.viewer;
  if (!viewer) return { id: -1 };
  if (viewer.seesAllProducts) return {};
  return { OR: [{ id: viewer.id }, { memberships: { some: { product: { members: { some: { userId: viewer.id } } } } } }] };
}

/** connectors, records and operations: global roles only */
export function visibleToGlobalRoles(ctx: Pick<Context, 'viewer'>): { id?: number } {
  return ctx.viewer?.seesAllProducts ? {} : { id: -1 };
}
