// Graphcache, configured from the schema: keys, Relay pagination on every connection, and the
// updaters that keep lists current from subscriptions and mutation results.
import { cacheExchange, type KeyingConfig } from '@urql/exchange-graphcache';
import { cacheSchema } from '../graphql/cache-schema';
import { connectionResolvers } from './connectionPagination';
import { describeSchema } from './schemaShape';
import { createUpdaters } from './updaters';

const shape = describeSchema(cacheSchema);

function cacheKeys(): KeyingConfig {
  // payloads, stats, connections, edges and pageInfo have no identity of their own: they are
  // stored inside whatever holds them
  const keys: KeyingConfig = Object.fromEntries(shape.keylessTypes.map((name) => [name, () => null]));
  // one row per deployment
  keys.SystemSettings = () => 'system';
  // one settings object per scope (and product, for PRODUCT): an update's result replaces the one shown
  keys.NotificationSettings = (data) => {
    const product = data.product as { id?: string } | null | undefined;
    return typeof data.scope === 'string' ? `${data.scope}:${product?.id ?? ''}` : null;
  };
  return keys;
}

export function createCacheExchange() {
  return cacheExchange({
    schema: cacheSchema,
    keys: cacheKeys(),
    resolvers: connectionResolvers(shape.connections),
    updates: createUpdaters(shape.connections),
  });
}

/** for tests: the same configuration, as plain objects */
export const cacheConfig = { schema: cacheSchema, keys: cacheKeys, shape };
