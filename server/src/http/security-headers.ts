// Response headers for the dashboard (helmet): a Content-Security-Policy that lets the page load
// only its own scripts and talk only to its own origin, no framing (clickjacking), nosniff, and
// helmet's other defaults. /graphql is left out: GraphiQL loads its scripts from a CDN.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

const apply = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'connect-src': ["'self'"],
      // plain http on a LAN address is a supported setup; upgrading would break it
      'upgrade-insecure-requests': null,
    },
  },
  frameguard: { action: 'deny' },
});

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => apply(req, res, (e?: unknown) => (e ? reject(e) : resolve())));
}
