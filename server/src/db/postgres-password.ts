// The embedded PostgreSQL's superuser password: generated once per data directory into a 0600 file
// beside it (like auth/secrets.ts's secret.key), and the pg_hba.conf rule that makes it matter.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

/** `<dataDir>-password`: for the app that is `<TRIBUTARY_DATA_DIR>/pg-password`, beside secret.key */
export function passwordFile(dataDir: string): string {
  return `${dataDir}-password`;
}

export async function loadOrCreatePassword(file: string): Promise<string> {
  if (!existsSync(file)) {
    // written whole under a private name, then link()ed into place: link fails with EEXIST if another
    // process got there first (we then read theirs), and no reader ever sees a half-written file
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    await writeFile(tmp, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      await link(tmp, file).catch((e) => { if (e.code !== 'EEXIST') throw e; });
    } finally {
      await unlink(tmp);
    }
  }
  const password = (await readFile(file, 'utf8')).trim();
  // base64url only: safe in a connection URL and unchanged by SCRAM's SASLprep
  if (!/^[A-Za-z0-9_-]{32,}$/.test(password)) {
    throw new Error(`${file} must hold the generated PostgreSQL password (32+ characters of A-Z a-z 0-9 _ -): restore the file this data directory was created with`);
  }
  return password;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL would store for the password (RFC 5803 format, 4096
 * iterations as PostgreSQL's default). ALTER ROLE … PASSWORD '<verifier>' sets the password without
 * the plaintext ever being in an SQL statement, which PostgreSQL's log quotes when the statement fails.
 */
export function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${hmac(salted, 'Server Key').toString('base64')}`;
}

/**
 * Data directories made before this file was written have `password` (cleartext on the wire) rules
 * in pg_hba.conf, and a hand-edited one may say `trust`, under which any local process gets in
 * without a password. Both become scram-sha-256; called before the server starts, so no reload.
 */
export async function requirePasswordAuth(hbaFile: string): Promise<void> {
  // a missing file is the server's to report when it starts
  const text = await readFile(hbaFile, 'utf8').catch((e) => { if (e.code === 'ENOENT') return null; throw e; });
  if (text === null) return;
  const fixed = text.replace(/^([ \t]*(?:local|host\w*)[ \t].*[ \t])(?:trust|password)([ \t]*)$/gm, '$1scram-sha-256$2');
  if (fixed !== text) await writeFile(hbaFile, fixed);
}
