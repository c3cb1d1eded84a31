// Secrets at rest (connector tokens, Slack token, webhook header values): AES-256-GCM with a key
// from TRIBUTARY_SECRET_KEY or a key file generated once into the data directory.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes (base64 or hex)');
  }

  /** "v1:<iv>:<tag>:<ciphertext>", base64 parts */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('unreadable secret (wrong format)');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new Error('a stored secret cannot be decrypted: TRIBUTARY_SECRET_KEY differs from the key it was sealed with');
    }
  }
}

function parseKey(text: string): Buffer {
  const t = text.trim();
  return /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
}

export async function loadSecretBox(opts: { secretKey?: string; dataDir: string }): Promise<SecretBox> {
  if (opts.secretKey) return new SecretBox(parseKey(opts.secretKey));
  const file = path.join(opts.dataDir, 'secret.key');
  if (!existsSync(file)) {
    await mkdir(opts.dataDir, { recursive: true });
    // 'wx' fails if another process created it first; then we read theirs
    await writeFile(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' }).catch((e) => { if (e.code !== 'EEXIST') throw e; });
  }
  return new SecretBox(parseKey(await readFile(file, 'utf8')));
}
