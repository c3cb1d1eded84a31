// Users (listing and, for superusers, their roles and status), sessions, API tokens and product membership.
import { GraphQLError } from 'graphql';
import { LoginThrottled } from '../auth/login-throttle.ts';
import { hashPassword } from '../auth/passwords.ts';
import { applyTemplate } from '../notifications/settings.ts';
import { LoginFailed, createApiToken, login, revokeToken, userIdForToken } from '../auth/sessions.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/tokens.ts';
import { Viewer, forbidden, requireViewer } from '../auth/viewer.ts';
import type { Prisma } from '@tributary/db';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { canSee, visibleProducts, visibleUsers } from './visibility.ts';
import { rethrowConflict } from './common.ts';
import { ProductRoleEnum } from './enums.ts';
import { badInput, notFound } from './errors.ts';
import { decodeId } from './global-id.ts';
import { inputMutation, objectPayload } from './payloads.ts';

builder.prismaNode('User', {
  authScopes: canSee.user,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), AND: [visibleUsers(ctx)] }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    isSuperuser: t.exposeBoolean('isSuperuser'),
    globalRole: t.expose('globalRole', { type: ProductRoleEnum, nullable: true }),
    isActive: t.exposeBoolean('isActive', { description: 'an inactive user cannot sign in and is told nothing' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    memberships: t.relatedConnection('memberships', {
      cursor: 'id', totalCount: true, description: "the user's product roles, on the products the viewer may see",
      query: (_a, ctx) => ({ where: { product: visibleProducts(ctx) }, orderBy: { id: 'asc' } }),
    }),
  }),
});

builder.queryField('users', (t) =>
  t.prismaConnection({
    type: 'User',
    cursor: 'id',
    description: 'The users the viewer may see (everyone, for superusers and global roles), by email; `search` matches email or name.',
    authScopes: { loggedIn: true },
    args: { search: t.arg.string({ validate: { maxLength: 200 } }) },
    resolve: (query, _r, args, ctx) => ctx.prisma.user.findMany({ ...query, where: usersWhere(ctx, args.search), orderBy: [{ email: 'asc' }, { id: 'asc' }] }),
    totalCount: (_r, args, ctx) => ctx.prisma.user.count({ where: usersWhere(ctx, args.search) }),
  }));

function usersWhere(ctx: Context, search: string | null | undefined): Prisma.UserWhereInput {
  const text = search?.trim();
  return { AND: [visibleUsers(ctx), text ? { OR: [{ email: { contains: text, mode: 'insensitive' } }, { name: { contains: text, mode: 'insensitive' } }] } : {}] };
}

inputMutation('updateUser', {
  payload: objectPayload('UpdateUserPayload', 'user', 'User'),
  description: 'Superusers: changes the fields given. Nobody can take their own superuser status or deactivate themselves (the last way back in).',
  authScopes: { superuser: true },
  inputName: 'UpdateUserInput',
  fields: (f) => ({
    id: f.id({ required: true }),
    name: f.string({ validate: { maxLength: 200 } }),
    globalRole: f.field({ type: ProductRoleEnum, description: 'null removes it' }),
    isSuperuser: f.boolean(),
    isActive: f.boolean(),
  }),
  resolve: async (input, ctx) => {
    const viewer = requireViewer(ctx.viewer);
    const id = decodeId(String(input.id), 'User', 'id');
    if (!(await ctx.prisma.user.findUnique({ where: { id }, select: { id: true } }))) throw notFound('id: the user');
    if (id === viewer.id && input.isSuperuser === false) throw badInput('isSuperuser: you cannot take your own superuser status', 'isSuperuser');
    if (id === viewer.id && input.isActive === false) throw badInput('isActive: you cannot deactivate yourself', 'isActive');
    const data: Prisma.UserUpdateInput = {};
    if (input.name != null) data.name = input.name.trim();
    if (input.globalRole !== undefined) data.globalRole = input.globalRole;
    if (input.isSuperuser != null) data.isSuperuser = input.isSuperuser;
    if (input.isActive != null) data.isActive = input.isActive;
    await ctx.prisma.user.update({ where: { id }, data });
    return { id };
  },
});

builder.prismaNode('ProductMember', {
  authScopes: canSee.productMember,
  id: { field: 'id' },
  // node(id:) answers null for what the viewer cannot see, rather than an error
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), product: visibleProducts(ctx) }),
  fields: (t) => ({
    product: t.relation('product'),
    user: t.relation('user'),
    role: t.expose('role', { type: ProductRoleEnum }),
  }),
});

builder.queryField('viewer', (t) =>
  t.prismaField({
    type: 'User',
    nullable: true,
    description: 'The logged-in user, or null.',
    resolve: (query, _root, _args, ctx) => (ctx.viewer ? ctx.prisma.user.findUnique({ ...query, where: { id: ctx.viewer.id } }) : null),
  }));

const OkPayload = builder.objectRef<{ ok: boolean }>('OkPayload').implement({ fields: (t) => ({ ok: t.exposeBoolean('ok') }) });

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

const LoginPayload = builder.objectRef<{ token: string; userId: number }>('LoginPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token'),
    user: t.prismaField({ type: 'User', resolve: (query, p, _a, ctx) => ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: p.userId } }) }),
  }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('LoginInput', {
          fields: (f) => ({
            email: f.string({ required: true, validate: { maxLength: 320 } }),
            password: f.string({ required: true, validate: { maxLength: 1024 } }),
          }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      try {
        const { token, userId } = await login(ctx.prisma, input.email, input.password, ctx.clientAddress);
        ctx.responseCookies.push(sessionCookie(token, SESSION_TTL_MS / 1000, ctx.secureRequest));
        // the rest of this response is read as the user who just logged in (LoginPayload.user)
        ctx.viewer = await Viewer.load(ctx.prisma, userId);
        ctx.authToken = token;
        return { token, userId };
      } catch (e) {
        if (e instanceof LoginFailed) throw badInput(e.message);
        if (e instanceof LoginThrottled) throw new GraphQLError(e.message, { extensions: { code: 'TOO_MANY_REQUESTS', retryAfter: e.retryAt.toISOString() } });
        throw e;
      }
    },
  }));

builder.mutationField('logout', (t) =>
  t.field({
    type: OkPayload,
    description: 'Ends the session (cookie or bearer token) this request was made with.',
    authScopes: { loggedIn: true },
    resolve: async (_root, _args, ctx) => {
      if (ctx.authToken) await revokeToken(ctx.prisma, ctx.authToken);
      ctx.responseCookies.push(sessionCookie('', 0, ctx.secureRequest));
      return { ok: true };
    },
  }));

builder.prismaNode('ApiToken', {
  authScopes: canSee.apiToken,
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), userId: ctx.viewer?.id ?? -1 }),
  description: "An integrator's token: its name and use, never the token itself (only its hash is kept).",
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('apiTokens', (t) =>
  t.prismaConnection({
    type: 'ApiToken',
    cursor: 'id',
    description: "The viewer's own API tokens that are not revoked, newest first.",
    authScopes: { loggedIn: true },
    resolve: (query, _r, _a, ctx) => ctx.prisma.apiToken.findMany({ ...query, where: ownTokens(ctx), orderBy: { id: 'desc' } }),
    totalCount: (_r, _a, ctx) => ctx.prisma.apiToken.count({ where: ownTokens(ctx) }),
  }));

const ownTokens = (ctx: Context) => ({ userId: requireViewer(ctx.viewer).id, revokedAt: null });

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: builder.objectRef<{ token: string; id: string }>('CreateApiTokenPayload').implement({
      fields: (f) => ({
        token: f.exposeString('token', { description: 'shown once' }),
        id: f.exposeID('id', { description: "the row id (apiToken.id is the token's global id)" }),
        apiToken: f.prismaField({ type: 'ApiToken', resolve: (query, p, _a, ctx) => ctx.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: Number(p.id) } }) }),
      }),
    }),
    description: 'A token for integrators ("Authorization: Bearer <token>"), shown once; only its hash is stored.',
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateApiTokenInput', { fields: (f) => ({ name: f.string({ required: true, validate: { minLength: 1, maxLength: 200 } }) }) }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { token, id } = await createApiToken(ctx.prisma, requireViewer(ctx.viewer).id, input.name.trim());
      return { token, id: String(id) };
    },
  }));

inputMutation('revokeApiToken', {
  payload: OkPayload,
  authScopes: { loggedIn: true },
  inputName: 'RevokeApiTokenInput',
  description: 'Revokes a token given itself (`token`: any session or API token) or, for your own API tokens, by `id`.',
  fields: (f) => ({ token: f.string(), id: f.id() }),
  resolve: async (input, ctx) => {
    const viewer = requireViewer(ctx.viewer);
    if ((input.token == null) === (input.id == null)) throw badInput('token, id: give exactly one of them', input.token == null ? 'token' : 'id');
    if (input.id != null) {
      const id = decodeId(String(input.id), 'ApiToken', 'id');
      const revoked = await ctx.prisma.apiToken.updateMany({ where: { id, userId: viewer.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (!revoked.count) throw notFound('id: the token');
      return { ok: true };
    }
    const owner = await userIdForToken(ctx.prisma, input.token!);
    if (owner === null) throw badInput('token: unknown or already revoked', 'token');
    if (owner !== viewer.id && !viewer.isSuperuser) throw forbidden("revoke another user's token");
    await revokeToken(ctx.prisma, input.token!);
    return { ok: true };
  },
});

builder.mutationField('createUser', (t) =>
  t.field({
    type: objectPayload('CreateUserPayload', 'user', 'User'),
    authScopes: { superuser: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateUserInput', {
          fields: (f) => ({
            email: f.string({ required: true, validate: { email: true, maxLength: 320 } }),
            name: f.string({ validate: { maxLength: 200 } }),
            password: f.string({ required: true, validate: { minLength: 10, maxLength: 1024 } }),
            isSuperuser: f.boolean(),
            globalRole: f.field({ type: ProductRoleEnum }),
          }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      try {
        const passwordHash = await hashPassword(input.password);
        const user = await ctx.prisma.$transaction(async (tx) => {
          const created = await tx.user.create({
            data: {
              email: input.email.trim().toLowerCase(), name: input.name?.trim() ?? '', passwordHash,
              isSuperuser: input.isSuperuser ?? false, globalRole: input.globalRole ?? null,
            },
          });
          // a new user's notification settings start from the template
          await applyTemplate(tx, created.id);
          return created;
        });
        return { id: user.id };
      } catch (e) {
        rethrowConflict(e, 'email', 'a user with this email already exists');
      }
    },
  }));

builder.mutationField('addProductMember', (t) =>
  t.field({
    type: objectPayload('AddProductMemberPayload', 'member', 'ProductMember'),
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AddProductMemberInput', {
          fields: (f) => ({ productId: f.id({ required: true }), userId: f.id({ required: true }), role: f.field({ type: ProductRoleEnum, required: true }) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const productId = decodeId(String(input.productId), 'Product', 'productId');
      const userId = decodeId(String(input.userId), 'User', 'userId');
      if (!viewer.can('product.view', productId) || !(await ctx.prisma.product.findUnique({ where: { id: productId } }))) throw notFound('productId: the product');
      if (!viewer.can('product.manageMembers', productId)) throw forbidden('manage members of this product');
      if (!(await ctx.prisma.user.findUnique({ where: { id: userId } }))) throw notFound('userId: the user');
      // only those who may add Owners may make, demote or overwrite one (DefectDojo: Product_Member_Add_Owner).
      // The product row is locked so the role read and the write are one step: without it a Maintainer's
      // change racing an Owner's promotion overwrote the new Owner in 19 of 40 tries.
      const member = await ctx.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Product" WHERE id = ${productId} FOR UPDATE`;
        const current = await tx.productMember.findUnique({ where: { productId_userId: { productId, userId } }, select: { role: true } });
        if ((input.role === 'OWNER' || current?.role === 'OWNER') && !viewer.can('product.addOwner', productId)) {
          throw forbidden(current?.role === 'OWNER' ? "change an Owner's role on this product" : 'add owners to this product');
        }
        return tx.productMember.upsert({
          where: { productId_userId: { productId, userId } },
          create: { productId, userId, role: input.role },
          update: { role: input.role },
        });
      });
      return { id: member.id };
    },
  }));

builder.mutationField('removeProductMember', (t) =>
  t.field({
    type: builder.objectRef<{ ok: boolean }>('RemoveProductMemberPayload').implement({ fields: (f) => ({ ok: f.exposeBoolean('ok', { description: 'false when the user was not a member' }) }) }),
    description: 'Takes a user off a product. Removing an Owner takes what adding one does (Owners, superusers).',
    authScopes: { loggedIn: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RemoveProductMemberInput', { fields: (f) => ({ productId: f.id({ required: true }), userId: f.id({ required: true }) }) }),
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const productId = decodeId(String(input.productId), 'Product', 'productId');
      const userId = decodeId(String(input.userId), 'User', 'userId');
      if (!viewer.can('product.view', productId) || !(await ctx.prisma.product.findUnique({ where: { id: productId } }))) throw notFound('productId: the product');
      if (!viewer.can('product.manageMembers', productId)) throw forbidden('manage members of this product');
      // the same lock as addProductMember: a racing promotion to Owner cannot slip between read and delete
      const removed = await ctx.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Product" WHERE id = ${productId} FOR UPDATE`;
        const current = await tx.productMember.findUnique({ where: { productId_userId: { productId, userId } }, select: { role: true } });
        if (!current) return false;
        if (current.role === 'OWNER' && !viewer.can('product.addOwner', productId)) throw forbidden('remove an Owner of this product');
        await tx.productMember.delete({ where: { productId_userId: { productId, userId } } });
        return true;
      });
      return { ok: removed };
    },
  }));
