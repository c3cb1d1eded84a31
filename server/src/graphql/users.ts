// Users, sessions, API tokens and product membership.
import { GraphQLError } from 'graphql';
import { LoginThrottled } from '../auth/login-throttle.ts';
import { hashPassword } from '../auth/passwords.ts';
import { applyTemplate } from '../notifications/settings.ts';
import { LoginFailed, createApiToken, login, revokeToken, userIdForToken } from '../auth/sessions.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/tokens.ts';
import { Viewer, forbidden, requireViewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';
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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
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

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: builder.objectRef<{ token: string; id: string }>('CreateApiTokenPayload').implement({
      fields: (f) => ({ token: f.exposeString('token', { description: 'shown once' }), id: f.exposeID('id') }),
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
  fields: (f) => ({ token: f.string({ required: true }) }),
  resolve: async (input, ctx) => {
    const viewer = requireViewer(ctx.viewer);
    const owner = await userIdForToken(ctx.prisma, input.token);
    if (owner === null) throw badInput('token: unknown or already revoked', 'token');
    if (owner !== viewer.id && !viewer.isSuperuser) throw forbidden("revoke another user's token");
    await revokeToken(ctx.prisma, input.token);
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
