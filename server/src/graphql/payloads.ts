// Mutation payloads: `{ <field>: <Object> }` loaded by id with the client's selection, and the one
// delete mutation shape every deletable type shares. A new entity's payload and delete cost one line.
import type { InputFieldMap, InputShapeFromFields, ObjectRef } from '@pothos/core';
import type { PrismaClient } from '@tributary/db';
import type { AuthScopeMap } from '@pothos/plugin-scope-auth';
import { builder, type InputFieldBuilder } from './builder.ts';
import type { Context } from './context.ts';
import { notFound } from './errors.ts';

export const DeletePayload = builder.objectRef<{ deletedId: string }>('DeletePayload').implement({
  fields: (t) => ({ deletedId: t.exposeID('deletedId') }),
});

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type ScopeMap = AuthScopeMap<Types>;

type Loadable = 'Product' | 'Engagement' | 'Test' | 'Finding' | 'Connector' | 'Record' | 'Operation' | 'User' | 'ProductMember' | 'Webhook';
type Query = { include?: never; select?: never } & Record<string, unknown>;

const load: Record<Loadable, (prisma: PrismaClient, query: Query, id: number) => Promise<unknown>> = {
  Product: (p, query, id) => p.product.findUniqueOrThrow({ ...query, where: { id } }),
  Engagement: (p, query, id) => p.engagement.findUniqueOrThrow({ ...query, where: { id } }),
  Test: (p, query, id) => p.test.findUniqueOrThrow({ ...query, where: { id } }),
  Finding: (p, query, id) => p.finding.findUniqueOrThrow({ ...query, where: { id } }),
  Connector: (p, query, id) => p.connector.findUniqueOrThrow({ ...query, where: { id } }),
  Record: (p, query, id) => p.record.findUniqueOrThrow({ ...query, where: { id } }),
  Operation: (p, query, id) => p.operation.findUniqueOrThrow({ ...query, where: { id } }),
  User: (p, query, id) => p.user.findUniqueOrThrow({ ...query, where: { id } }),
  ProductMember: (p, query, id) => p.productMember.findUniqueOrThrow({ ...query, where: { id } }),
  Webhook: (p, query, id) => p.webhook.findUniqueOrThrow({ ...query, where: { id } }),
};

/** `name { field: type }`; resolvers return `{ id }` of the row to show */
export function objectPayload(name: string, field: string, type: Loadable) {
  return builder.objectRef<{ id: number }>(name).implement({
    fields: (t) => ({
      [field]: t.prismaField({ type, resolve: (query, p, _a, ctx) => load[type](ctx.prisma, query as Query, p.id) as never }),
    }),
  });
}

/**
 * `delete<Type>(input: { <idField>: ID! }): DeletePayload`. `check` finds the row id the viewer may
 * delete (throwing NOT_FOUND / FORBIDDEN), `remove` deletes it and says how many rows went.
 */
export function deleteMutation(type: string, opts: {
  description?: string;
  authScopes: ScopeMap;
  idField?: string;
  check: (ctx: Context, globalId: string, field: string) => Promise<number>;
  remove: (ctx: Context, id: number) => Promise<number>;
}) {
  const idField = opts.idField ?? 'id';
  inputMutation(`delete${type}`, {
    payload: DeletePayload,
    description: opts.description,
    authScopes: opts.authScopes,
    inputName: `Delete${type}Input`,
    fields: (f) => ({ [idField]: f.id({ required: true }) }),
    resolve: async (input, ctx) => {
      const globalId = String(input[idField]);
      const id = await opts.check(ctx, globalId, idField);
      if ((await opts.remove(ctx, id)) === 0) throw notFound(`${idField}: the ${type.toLowerCase()}`);
      return { deletedId: globalId };
    },
  });
}

/**
 * `name(input: <inputName>!): <payload>` — the shape of every mutation here: one input object,
 * validated by its fields, and a payload. `resolve` gets the parsed input.
 */
export function inputMutation<Fields extends InputFieldMap, Shape>(name: string, opts: {
  payload: ObjectRef<Types, Shape>;
  authScopes: ScopeMap;
  description?: string;
  inputName: string;
  fields: (f: InputFieldBuilder) => Fields;
  resolve: (input: InputShapeFromFields<Fields>, ctx: Context) => Promise<Shape>;
}) {
  builder.mutationField(name, (t) =>
    t.field({
      type: opts.payload,
      description: opts.description,
      authScopes: opts.authScopes,
      args: { input: t.arg({ required: true, type: builder.inputType(opts.inputName, { fields: opts.fields }) }) },
      resolve: (_root, args, ctx) => opts.resolve((args as { input: InputShapeFromFields<Fields> }).input, ctx) as never,
    }));
}
