// The scalars, and the small input helpers every domain file shares.
import { GraphQLError, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.ts';
import { badInput } from './errors.ts';

/** RFC 3339 allows year 0000, PostgreSQL's timestamp has no year 0: refused here, not as a database error */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
function storable(date: Date, node?: ValueNode): Date {
  if (date.getTime() < EARLIEST) throw new GraphQLError(`DateTime cannot represent ${date.toISOString()}: the earliest is 0001-01-01T00:00:00Z`, { nodes: node });
  return date;
}
builder.addScalarType('DateTime', DateTimeResolver, {
  parseValue: (value) => storable(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => storable(DateTimeResolver.parseLiteral(ast, variables), ast),
});
builder.addScalarType('JSON', JSONResolver);

/** Turns a unique-constraint violation into a message naming the field; rethrows anything else. */
export function rethrowConflict(e: unknown, field: string, message: string): never {
  if ((e as { code?: string }).code === 'P2002') throw badInput(`${field}: ${message}`, field);
  throw e;
}

/** validation for names and titles: 1..max characters, not only whitespace */
export function nameRules(max = 200) {
  return { minLength: 1, maxLength: max, refine: [(v: string) => v.trim().length > 0, { message: 'must not be blank' }] as [(v: string) => boolean, { message: string }] };
}
