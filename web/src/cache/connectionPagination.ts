// Relay pagination for every connection field. Graphcache's relayPagination merges the cached pages
// of one list (same arguments but first/after/last/before) into one, which is what lets a
// subscription put a new record into "the" list; it drops every field but edges/nodes/pageInfo,
// though, so totalCount (and the alerts' unreadCount) are read back here from the requested page.
import type { Resolver, ResolverConfig } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import type { ConnectionField } from './schemaShape';

function connectionPagination(extraScalars: string[]): Resolver {
  const merge = relayPagination();
  return (parent, args, cache, info) => {
    const merged = merge(parent, args, cache, info) as Record<string, unknown> | undefined | null;
    if (!merged || extraScalars.length === 0) return merged;
    const page = cache.resolve(info.parentKey, info.fieldName, args);
    if (typeof page !== 'string') return merged;
    const withScalars: Record<string, unknown> = { ...merged };
    for (const name of extraScalars) withScalars[name] = cache.resolve(page, name);
    return withScalars;
  };
}

export function connectionResolvers(connections: ConnectionField[]): ResolverConfig {
  const resolvers: Record<string, Record<string, Resolver>> = {};
  for (const { parentType, fieldName, extraScalars } of connections) {
    (resolvers[parentType] ??= {})[fieldName] = connectionPagination(extraScalars);
  }
  return resolvers as ResolverConfig;
}
