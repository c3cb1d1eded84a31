// What every resolver gets: the viewer and the process's shared services.
import { BatchLoader, type LoadMany } from '../util/batch-loader.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { LiveBudget } from '../live/stream.ts';
import type { Services } from '../services.ts';

export interface Context extends Services {
  /** this request's batch loaders by name (see requestLoader) */
  loaders: Map<string, BatchLoader<any, any>>;
  viewer: Viewer | null;
  /** the bearer token or session cookie this request authenticated with (logout revokes it) */
  authToken: string | null;
  /** Set-Cookie headers for this response (login / logout) */
  responseCookies: string[];
  /** true when the request came over HTTPS (cookie Secure flag) */
  secureRequest: boolean;
  /** the peer address of the connection (the login throttle counts failures per client) */
  clientAddress: string;
  /** a websocket connection's bound on the rows its subscriptions hold for it (live/stream.ts) */
  liveBudget?: LiveBudget;
}

/** The request's loader named `name`, created on first use: one query for all parents of a list. */
export function requestLoader<K, V>(ctx: Context, name: string, loadMany: LoadMany<K, V>): BatchLoader<K, V> {
  let loader = ctx.loaders.get(name) as BatchLoader<K, V> | undefined;
  if (!loader) ctx.loaders.set(name, (loader = new BatchLoader(loadMany)));
  return loader;
}
