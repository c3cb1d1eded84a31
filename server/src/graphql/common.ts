// Scalars, enums and the small helpers every domain file shares (ids, errors).
import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Viewer } from '../auth/viewer.ts';
import { builder } from './builder.ts';

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

export const SeverityEnum = builder.enumType('Severity', { values: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const });
export const ProductRoleEnum = builder.enumType('ProductRole', { values: ['READER', 'API_IMPORTER', 'WRITER', 'MAINTAINER', 'OWNER'] as const });

export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { fields: [field] } : {}) } });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} does not exist (or you cannot see it).`, { extensions: { code: 'NOT_FOUND' } });
}

/** A global id's numeric database id, or a BAD_USER_INPUT error naming the field. */
export function decodeId(globalId: string, typename: string, field: string): number {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw badInput(`${field}: "${String(globalId).slice(0, 100)}" is not a valid ${typename} id`, field);
  }
  const id = Number(decoded.id);
  if (decoded.typename !== typename || !Number.isSafeInteger(id) || id <= 0) {
    throw badInput(`${field}: "${String(globalId).slice(0, 100)}" is not a valid ${typename} id`, field);
  }
  return id;
}

/** Turns a unique-constraint violation into a message naming the field; rethrows anything else. */
export function rethrowConflict(e: unknown, field: string, message: string): never {
  if ((e as { code?: string }).code === 'P2002') throw badInput(`${field}: ${message}`, field);
  throw e;
}

export function requireOne<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw notFound(what);
  return value;
}

/** validation for names and titles: 1..max characters, not only whitespace */
export function nameRules(max = 200) {
  return { minLength: 1, maxLength: max, refine: [(v: string) => v.trim().length > 0, { message: 'must not be blank' }] as [(v: string) => boolean, { message: string }] };
}

/** A Prisma `where` on Product for what the requester may see; nothing when not logged in. */
export function visibleProducts(ctx: { viewer: Viewer | null }): { id?: number; members?: { some: { userId: number } } } {
  return ctx.viewer ? ctx.viewer.productScope() : { id: -1 };
}
