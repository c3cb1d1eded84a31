// What every Tributary a test starts shares, in this process (app.ts) or as an OS process
// (processes.ts): the bootstrap superuser, one secret key per deployment, and the SARIF root.
import os from 'node:os';

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };

export const SHARED_ENV: Record<string, string> = {
  TRIBUTARY_ADMIN_EMAIL: ADMIN.email,
  TRIBUTARY_ADMIN_PASSWORD: ADMIN.password,
  // every process of one deployment shares the key
  TRIBUTARY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  // the SARIF fakes and tests make their report directories in the OS temp dir
  TRIBUTARY_SARIF_ROOT: os.tmpdir(),
};
