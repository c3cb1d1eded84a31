// Who is signed in, and the urql client that serves them. Every sign-in and sign-out swaps in a
// fresh client so one user's cached results and open websocket never leak into the next session.
import { shallowRef } from 'vue';
import type { Client } from '@urql/vue';
import { createGraphqlClient } from './client';
import { ViewerQuery } from './graphql/session';
import type { ResultOf } from './graphql/tada';
import type { ViewerFields } from './graphql/session';

export type Viewer = ResultOf<typeof ViewerFields>;

let handleExpiry: () => void = () => {};
let viewerRequest: Promise<Viewer | null> | undefined;

export const client = shallowRef<Client>(newClient());
export const viewer = shallowRef<Viewer | null>(null);

/** The viewer, asked of the server once per session (the cookie is httpOnly, so only the server knows). */
export function resolveViewer(): Promise<Viewer | null> {
  viewerRequest ??= client.value.query(ViewerQuery, {}, { requestPolicy: 'network-only' }).toPromise()
    .then(({ data, error }) => {
      if (error) throw error;
      viewer.value = data?.viewer ?? null;
      return viewer.value;
    })
    .catch((error: unknown) => {
      viewerRequest = undefined;
      throw error;
    });
  return viewerRequest;
}

export function startSession(user: Viewer): void {
  client.value = newClient();
  viewer.value = user;
  viewerRequest = Promise.resolve(user);
}

export function endSession(): void {
  client.value = newClient();
  viewer.value = null;
  viewerRequest = Promise.resolve(null);
}

/** What to do when the server says the session is gone (expired, revoked, logged out elsewhere). */
export function onSessionExpired(handler: () => void): void {
  handleExpiry = handler;
}

function newClient(): Client {
  return createGraphqlClient(() => {
    // several queries in flight can all fail at once: end the session only once
    if (!viewer.value) return;
    endSession();
    handleExpiry();
  });
}
