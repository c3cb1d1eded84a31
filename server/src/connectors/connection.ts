// A connector row → what its kind needs to talk to the tool: the decrypted secret and a guarded
// HTTP client that redacts that secret from every message. The secret is decrypted here only, and
// its redaction is the client's (GuardedHttp.redact), so every message is scrubbed the same way.
import type { Connector } from '@tributary/db';
import type { SecretBox } from '../auth/secrets.ts';
import { httpTimeoutMs, type Config } from '../config.ts';
import { GuardedHttp } from './http.ts';
import type { ConnectorKind, KindContext } from './kind.ts';
import { findKind } from './registry.ts';

export function kindOf(connector: Pick<Connector, 'kind'>): ConnectorKind {
  const kind = findKind(connector.kind);
  if (!kind) throw new Error(`unknown connector kind "${connector.kind}"`);
  return kind;
}

/** A connector's kind and the context it runs in (configuration, guarded client, abort signal). */
export interface KindWithContext {
  kind: ConnectorKind;
  ctx: KindContext;
}

/** `services`: the process's Services (or a resolver's Context), of which this needs the key and the SARIF root. */
export function kindContext(connector: Connector, services: { secrets: SecretBox; config: Pick<Config, 'sarifRoot'> }, signal?: AbortSignal): KindWithContext {
  const kind = kindOf(connector);
  const secret = connector.secretCiphertext ? services.secrets.open(connector.secretCiphertext) : null;
  const http = new GuardedHttp({ service: kind.label, secrets: [secret], timeoutMs: httpTimeoutMs() });
  const config = { url: connector.url, secret, options: (connector.options ?? {}) as Record<string, unknown> };
  return { kind, ctx: { config, http, sarifRoot: services.config.sarifRoot, signal } };
}

/**
 * An error message safe to store and show: the secret removed (raw, URL-encoded, base64 and Basic
 * forms) whatever produced the error. Without a context no secret was decrypted, so none can leak.
 */
export function safeMessage(e: unknown, ctx?: KindContext): string {
  const raw = e instanceof Error ? e.message : String(e);
  const message = ctx ? ctx.http.redact(raw) : raw;
  return message.length > 2000 ? message.slice(0, 2000) + '…' : message;
}
