// The one way a GraphQL request gets its Context, for HTTP and websockets alike (a websocket from its
// upgrade request): the viewer of the token it presents, whether it came over HTTPS, its peer address.
import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../auth/client-address.ts';
import { presentedToken } from '../auth/request-token.ts';
import { userIdForToken } from '../auth/sessions.ts';
import { Viewer } from '../auth/viewer.ts';
import type { Services } from '../services.ts';
import type { Context } from './context.ts';

/** `authorization` is the request's header on HTTP, the connectionParams value on a websocket */
export async function requestContext(services: Services, req: IncomingMessage, authorization: unknown): Promise<Context> {
  const token = presentedToken(authorization, req.headers.cookie);
  const userId = token ? await userIdForToken(services.prisma, token) : null;
  const viewer = userId ? await Viewer.load(services.prisma, userId) : null;
  return {
    ...services,
    viewer,
    authToken: viewer ? token : null,
    secureRequest: cameOverHttps(req),
    clientAddress: clientAddress(req, services.config.trustedProxies),
    responseCookies: [],
    loaders: new Map(),
  };
}

/** behind a TLS-terminating proxy the proxy says so; otherwise the socket itself is TLS */
function cameOverHttps(req: IncomingMessage): boolean {
  return req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
}
