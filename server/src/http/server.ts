// The process's HTTP server: listens, and on close stops accepting, lets requests in flight finish,
// and destroys connections still open 10 s later, so a slow or stalled client cannot hold up shutdown.
// Idle keep-alive connections close at once, and each busy one as soon as its response is sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestHandler } from './router.ts';

export interface HttpServer {
  server: Server;
  /** resolves with http://host:port once listening (port 0 picks a free one) */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** how long requests in flight may take to finish once the server is closing */
const DRAIN_MS = 10_000;

export function createHttpServer(handle: RequestHandler): HttpServer {
  let closing = false;
  const server = createServer((req, res) => {
    // a request on a kept-alive connection after close(): answer it, then close that connection
    if (closing) res.setHeader('connection', 'close');
    void handle(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    server,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const { port: bound } = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    async close() {
      const closed = new Promise((r) => server.close(r));
      closing = true;
      server.closeIdleConnections();
      const force = setTimeout(() => { for (const s of sockets) s.destroy(); }, DRAIN_MS);
      force.unref();
      await closed;
      clearTimeout(force);
    },
  };
}
