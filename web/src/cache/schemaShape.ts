// What the cache configuration reads from the schema's introspection: which object types have no
// id (so get no key), which fields are Relay connections, and each connection's own scalar fields.
// Derived once from the generated cache schema, so a new connection or payload type in the server
// needs no change here.
import type { CacheExchangeOpts } from '@urql/exchange-graphcache';

type Schema = NonNullable<CacheExchangeOpts['schema']>;
// the part of an (ordinary or minified) introspection read here
interface SchemaField { name: string; type: unknown; args?: ReadonlyArray<{ name: string }> }
interface SchemaType { kind: string; name: string; fields?: readonly SchemaField[] }
interface SchemaRoot {
  queryType?: { name: string } | null;
  mutationType?: { name: string } | null;
  subscriptionType?: { name: string } | null;
  types: readonly SchemaType[];
}

export interface ConnectionField {
  parentType: string;
  fieldName: string;
  argNames: string[];
  /** totalCount, and e.g. unreadCount on alerts: what relayPagination drops when it merges pages */
  extraScalars: string[];
}

function namedType(type: unknown): string {
  let t = type as { kind: string; name?: string; ofType?: unknown };
  while (t.kind === 'NON_NULL' || t.kind === 'LIST') t = t.ofType as typeof t;
  return t.name!;
}

function fieldsOf(type: SchemaType | undefined): readonly SchemaField[] {
  return type?.fields ?? [];
}

export function describeSchema(introspection: Schema) {
  const schema = { __schema: introspection.__schema as unknown as SchemaRoot };
  const types = new Map(schema.__schema.types.map((type) => [type.name, type]));
  const isConnection = (typeName: string) => {
    const names = new Set(fieldsOf(types.get(typeName)).map((f) => f.name));
    return names.has('pageInfo') && (names.has('edges') || names.has('nodes'));
  };

  const keylessTypes: string[] = [];
  const connections: ConnectionField[] = [];
  for (const type of schema.__schema.types) {
    if (type.kind !== 'OBJECT' || type.name.startsWith('__')) continue;
    const fields = fieldsOf(type);
    const isRoot = [schema.__schema.queryType?.name, schema.__schema.mutationType?.name, schema.__schema.subscriptionType?.name].includes(type.name);
    if (!isRoot && !fields.some((f) => f.name === 'id')) keylessTypes.push(type.name);
    for (const field of fields) {
      const target = namedType(field.type);
      if (!isConnection(target)) continue;
      const extraScalars = fieldsOf(types.get(target))
        .filter((f) => !['edges', 'nodes', 'pageInfo'].includes(f.name) && types.get(namedType(f.type))?.kind === 'SCALAR')
        .map((f) => f.name);
      connections.push({ parentType: type.name, fieldName: field.name, argNames: (field.args ?? []).map((a) => a.name), extraScalars });
    }
  }
  return { keylessTypes, connections };
}
