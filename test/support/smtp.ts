// A real SMTP server on loopback (smtp-server) for the MAIL channel's tests: it keeps every message it
// receives, parsed, counts connections, and refuses recipients with the reply a test asks for.
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

export interface SmtpServer {
  port: number;
  url: string;
  inbox: ReceivedMail[];
  /** TCP connections the server accepted so far */
  connections: number;
  /** address → SMTP reply code the server refuses it with (e.g. 550, 451) */
  refuse: Map<string, number>;
  close(): Promise<void>;
}

export async function startSmtpServer(extra: Partial<SMTPServerOptions> = {}): Promise<SmtpServer> {
  const state: SmtpServer = {
    port: 0, url: '', inbox: [], connections: 0, refuse: new Map(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    // MAIL/RCPT/DATA without AUTH; the built-in certificate is self-signed, so no STARTTLS either
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      state.connections++;
      cb();
    },
    onRcptTo(address, _session, cb) {
      const code = state.refuse.get(address.address);
      if (!code) return cb();
      const text = code >= 500 ? 'mailbox unavailable' : 'try again later';
      cb(Object.assign(new Error(`${code === 550 ? '5.1.1' : '4.3.0'} <${address.address}> ${text}`), { responseCode: code }));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        state.inbox.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          mail,
        });
        cb();
      }, cb);
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as net.AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  return state;
}

/** a loopback port nothing listens on: bound, then released */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
