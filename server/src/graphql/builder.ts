// The Pothos builder: plugins and their settings only. Types live in one file per domain.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ZodPlugin from '@pothos/plugin-zod';
import { GraphQLError } from 'graphql';
import type PrismaTypes from '@tributary/db/pothos-types';
import { getDatamodel } from '@tributary/db/pothos-types';
import { forbidden, unauthenticated } from '../auth/viewer.ts';
import type { Context } from './context.ts';
import { decodeAnyId } from './global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: { loggedIn: boolean; globalManager: boolean; superuser: boolean };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ZodPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      loggedIn: !!ctx.viewer,
      globalManager: !!ctx.viewer?.isGlobalManager,
      superuser: !!ctx.viewer?.isSuperuser,
    }),
    // every object type's read rule (visibility.ts) runs on each object returned, wherever from
    runScopesOnType: true,
    unauthorizedError: (_parent, ctx, info, result) => {
      if (!ctx.viewer) return unauthenticated();
      const type = /read fields for (\w+)/.exec(result.message)?.[1];
      if (type) return forbidden(`see this ${type}`);
      const scopes = JSON.stringify(result.failure);
      const needs = scopes.includes('"superuser"') && !scopes.includes('"globalManager"') ? 'a superuser'
        : scopes.includes('"globalManager"') ? 'a superuser or a global Maintainer/Owner' : null;
      return forbidden(needs ? `${info.fieldName}: it needs ${needs}` : 'do this');
    },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: 'omit',
    nodesOnConnection: true,
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    decodeGlobalID: decodeAnyId,
  },
  zod: {
    // names the field and the problem, e.g. `input.name: must be at most 200 characters`
    validationError: (error) => {
      const issues = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      return new GraphQLError(`Invalid input — ${issues.join('; ')}`, {
        extensions: { code: 'BAD_USER_INPUT', fields: error.issues.map((i) => i.path.join('.')) },
      });
    },
  },
});

/** the field builder of input types, for field lists that create and update inputs share */
export type InputFieldBuilder = PothosSchemaTypes.InputFieldBuilder<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never, 'InputObject'>;
