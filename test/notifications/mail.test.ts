// The MAIL channel against a real SMTP server on loopback: what arrives (parts, headers, escaping,
// findings), the pooled transport, and how each SMTP failure maps to a retryable or dead delivery.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, SystemSettings } from '@tributary/db';
import type { ChannelContext } from '@tributary/server/notifications/channels/channel.ts';
import { closeMailTransports, sendMail } from '@tributary/server/notifications/channels/mail.ts';
import { DeliveryError, type NotificationMessage } from '@tributary/server/notifications/message.ts';
import type { Services } from '@tributary/server/services.ts';
import { closedPort, startSmtpServer, type SmtpServer } from '../support/smtp.ts';

const FROM = 'tributary@example.test';

function message(over: Partial<NotificationMessage> = {}): NotificationMessage {
  return {
    eventId: 42,
    event: 'operation_failed',
    title: 'Sync of SonarQube failed',
    description: 'The tool answered 503.',
    url: 'https://tributary.example.test/connectors/7',
    product: { id: 3, name: 'payments-api' },
    findings: [],
    occurredAt: '2026-11-20T10:00:00.000Z',
    ...over,
  };
}

function ctx(smtpUrl: string | undefined, to: string[], msg = message(), deliveryId = 1): ChannelContext {
  return {
    services: { config: { smtpUrl, mailFrom: `Tributary <${FROM}>` } } as unknown as Services,
    delivery: { id: deliveryId } as Delivery,
    payload: { message: msg, to },
    system: {} as SystemSettings,
  };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(() => { throw new Error('expected the send to fail'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

let smtp: SmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterEach(() => {
  closeMailTransports();
  smtp.inbox.length = 0;
  smtp.refuse.clear();
});
afterAll(async () => {
  await smtp.close();
});

describe('MAIL channel: what arrives', () => {
  it('sends a text and an HTML part from TRIBUTARY_MAIL_FROM to every address, subject prefixed', async () => {
    await sendMail(ctx(smtp.url, ['alice@example.test', 'bob@example.test'], message(), 9));
    expect(smtp.inbox).toHaveLength(1);
    const { envelope, mail } = smtp.inbox[0]!;
    expect(envelope).toEqual({ from: FROM, to: ['alice@example.test', 'bob@example.test'] });
    expect(mail.from?.value[0]?.address).toBe(FROM);
    expect(mail.subject).toBe('[Tributary] Sync of SonarQube failed');
    expect(mail.text).toContain('The tool answered 503.');
    expect(mail.text).toContain('Product: payments-api');
    expect(mail.text).toContain('https://tributary.example.test/connectors/7');
    expect(mail.html).toContain('<a href="https://tributary.example.test/connectors/7">');
    expect(mail.html).toContain('payments-api');
    expect(mail.messageId).toBe('<tributary-delivery-9@example.test>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('x-tributary-event-id')).toBe('42');
  });

  it('escapes tool data into the HTML part and links only http(s) URLs', async () => {
    const evil = message({
      title: '<script>alert(1)</script> in "payments"',
      description: '<img src=x onerror=alert(2)> & more',
      product: { id: 3, name: '<b>bold</b>' },
      url: 'javascript:alert(3)',
      findings: [{ id: 1, title: '<iframe src="//evil">', severity: 'HIGH', status: 'new' }],
    });
    await sendMail(ctx(smtp.url, ['alice@example.test'], evil));
    const { mail } = smtp.inbox[0]!;
    const html = mail.html as string;
    expect(html).not.toMatch(/<script|<img|<iframe|<b>bold|javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; in &quot;payments&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; more');
    expect(html).toContain('&lt;iframe src=&quot;//evil&quot;&gt;');
    expect(mail.subject).toBe('[Tributary] <script>alert(1)</script> in "payments"');
    expect(mail.text).toContain('<img src=x onerror=alert(2)> & more');
    expect(mail.text).not.toContain('javascript:');
  });

  it('lists findings with their severities, at most 50 and "and N more", with the counts of a scan_added', async () => {
    const findings = Array.from({ length: 53 }, (_, i) => ({
      id: i + 1, title: `Finding ${i + 1}`, severity: i === 0 ? 'CRITICAL' as const : 'LOW' as const, status: i === 1 ? 'closed' as const : 'new' as const,
    }));
    const msg = message({ event: 'scan_added', title: 'SonarQube: 52 new, 1 closed in payments-api', findings, counts: { new: 52, closed: 1, reactivated: 0, untouched: 10 } });
    await sendMail(ctx(smtp.url, ['alice@example.test'], msg));
    const { mail } = smtp.inbox[0]!;
    expect(mail.text).toContain('Findings: 52 new, 1 closed, 0 reopened, 10 unchanged');
    expect(mail.text).toContain('- [CRITICAL] Finding 1 (new)');
    expect(mail.text).toContain('- [LOW] Finding 2 (closed)');
    expect(mail.text).toContain('- [LOW] Finding 50 (new)');
    expect(mail.text).not.toContain('Finding 51');
    expect(mail.text).toContain('and 3 more');
    const html = mail.html as string;
    expect(html.match(/<tr>/g)).toHaveLength(51); // the header row and 50 findings
    expect(html).toMatch(/>CRITICAL<\/td><td[^>]*>Finding 1<\/td>/);
    expect(html).toContain('and 3 more');
    expect(html).toContain('52 new, 1 closed, 0 reopened, 10 unchanged');
  });
});

describe('MAIL channel: the pooled transport', () => {
  it('reuses one SMTP connection for several sends, and a new one after closeMailTransports()', async () => {
    const before = smtp.connections;
    for (let i = 1; i <= 3; i++) await sendMail(ctx(smtp.url, ['alice@example.test'], message(), i));
    expect(smtp.inbox).toHaveLength(3);
    expect(smtp.connections - before).toBe(1);
    closeMailTransports();
    await sendMail(ctx(smtp.url, ['alice@example.test'], message(), 4));
    expect(smtp.connections - before).toBe(2);
  });
});

describe('MAIL channel: failures', () => {
  it('without TRIBUTARY_SMTP_URL fails for good: mail is not configured', async () => {
    const err = await failure(sendMail(ctx(undefined, ['alice@example.test'])));
    expect(err.message).toBe('mail is not configured (TRIBUTARY_SMTP_URL)');
    expect(err.retryable).toBe(false);
  });

  it('a recipient refused with 550 fails for good', async () => {
    smtp.refuse.set('gone@example.test', 550);
    const err = await failure(sendMail(ctx(smtp.url, ['gone@example.test'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('550');
    expect(smtp.inbox).toHaveLength(0);
  });

  it('a 451 temporary failure is retried', async () => {
    smtp.refuse.set('busy@example.test', 451);
    const err = await failure(sendMail(ctx(smtp.url, ['busy@example.test'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('451');
  });

  it('one recipient of two refused: the other has the mail, and the delivery is not retried (no duplicate)', async () => {
    smtp.refuse.set('gone@example.test', 550);
    const err = await failure(sendMail(ctx(smtp.url, ['alice@example.test', 'gone@example.test'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/1 of 2 recipients; refused gone@example\.test \(550/);
    expect(smtp.inbox.map((m) => m.envelope.to)).toEqual([['alice@example.test']]);
  });

  it('a server that is down (connection refused) is retried', async () => {
    const port = await closedPort();
    const err = await failure(sendMail(ctx(`smtp://127.0.0.1:${port}`, ['alice@example.test'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`smtp://127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('never puts the SMTP URL credentials in an error, even when the server echoes them', async () => {
    const password = 's3cr3t-Pa55/word';
    const url = (port: number) => `smtp://mailer-user:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const down = await failure(sendMail(ctx(url(await closedPort()), ['alice@example.test'])));
    // a server that rejects the login and quotes it back (535: permanent)
    const echo = await startSmtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) { cb(Object.assign(new Error(`no such login ${auth.username}:${auth.password}`), { responseCode: 535 })); },
    });
    try {
      const denied = await failure(sendMail(ctx(url(echo.port), ['alice@example.test'])));
      expect(denied.retryable).toBe(false);
      expect(denied.message).toContain('535');
      for (const err of [down, denied]) {
        for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err)]) {
          expect(text).not.toContain(password);
          expect(text).not.toContain(encodeURIComponent(password));
          expect(text).not.toContain('mailer-user');
        }
      }
    } finally {
      await echo.close();
    }
  });
});
