// Global ids ("Type:123", base64). node(id:), nodes(ids:) and every id argument decode here, so a
// malformed id, one of another type, or one past PostgreSQL's `integer` (2³¹−1) is a clear
// BAD_USER_INPUT naming the field — never a database error reaching the client as "Unexpected error".
import { decodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from './errors.ts';

/** every primary key is a PostgreSQL `integer` (serial) */
const MAX_ROW_ID = 2 ** 31 - 1;

function parse(globalId: unknown): { typename: string; id: number } | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  if (!/^[1-9]\d{0,9}$/.test(decoded.id)) return null;
  const id = Number(decoded.id);
  return id <= MAX_ROW_ID ? { typename: decoded.typename, id } : null;
}

const invalid = (globalId: unknown, what: string, field: string) =>
  badInput(`${field}: "${String(globalId).slice(0, 100)}" is not a valid ${what} id`, field);

/** For the relay plugin (node/nodes): any type, a valid row id. */
export function decodeAnyId(globalId: string): { typename: string; id: string } {
  const parsed = parse(globalId);
  if (!parsed) throw invalid(globalId, 'global', 'id');
  return { typename: parsed.typename, id: String(parsed.id) };
}

/** A global id's numeric database id, or a BAD_USER_INPUT error naming the field. */
export function decodeId(globalId: string, typename: string, field: string): number {
  const parsed = parse(globalId);
  if (!parsed || parsed.typename !== typename) throw invalid(globalId, typename, field);
  return parsed.id;
}
