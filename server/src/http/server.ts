// The process's HTTP server: listens, and on close stops accepting, lets requests in flight finish,
// and destroys connections still open 2 s later, so a slow or stalled client cannot hold up shutdown.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestHandler } from './router.ts';

export interface HttpServer {
  server: Server;
  /** resolves with http://host:port once listening (port 0 picks a free one) */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export function createHttpServer(handle: RequestHandler): HttpServer {
  const server = createServer((req, res) => void handle(req, res));
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
      server.closeIdleConnections();
      setTimeout(() => { for (const s of sockets) s.destroy(); }, 2_000).unref();
      await closed;
    },
  };
}
