// docker-compose.yml is valid Compose and has the production shape; the Dockerfile builds what the
// image must hold. There is no Docker engine here, so nothing is built or started: the compose client
// (`docker compose`, else Debian's `docker-compose`, which .ci/run installs) validates the file, and
// test/deploy/built-server.test.ts runs the same build steps and the built server outside a container.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const run = promisify(execFile);

/** the compose command on this machine, or null when there is none */
function composeClient(): string[] | null {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(cmd[0]!, [...cmd.slice(1), 'version'], { stdio: 'ignore' });
      return cmd;
    } catch { /* next */ }
  }
  return null;
}

const client = composeClient();
const compose = (args: string[], env: Record<string, string> = {}) =>
  run(client![0]!, [...client!.slice(1), '-f', COMPOSE_FILE, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
const KEY = { TRIBUTARY_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') };

describe.skipIf(!client)(`docker-compose.yml${client ? '' : ' (skipped: neither `docker compose` nor `docker-compose` is installed)'}`, () => {
  it('validates with the compose client', async () => {
    await expect(compose(['config', '-q'], KEY)).resolves.toBeDefined();
  });

  it('has PostgreSQL, a one-shot migrate, api, worker and nginx', async () => {
    const { stdout } = await compose(['config', '--services'], KEY);
    expect(stdout.trim().split('\n').sort()).toEqual(['api', 'migrate', 'nginx', 'postgres', 'worker']);
    const { stdout: full } = await compose(['config'], KEY);
    // api and worker run the image with their role, after migrate succeeded
    expect(full).toMatch(/- --role\n\s+- api/);
    expect(full).toMatch(/- --role\n\s+- worker/);
    expect(full).toMatch(/- --role\n\s+- migrate/);
    expect(full).toContain('condition: service_completed_successfully');
    expect(full).toContain('condition: service_healthy');
    expect(full).toContain('pgdata');
  });

  it('refuses to start without the shared secret key, and says how to make one', async () => {
    const env = { ...process.env };
    delete env.TRIBUTARY_SECRET_KEY;
    const failed = await run(client![0]!, [...client!.slice(1), '-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, env }).then(() => null, (e) => e as { stderr: string });
    expect(failed?.stderr).toContain('openssl rand -base64 32');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\S+))?/gim)].map((m) => m[1]);

  it('builds in one stage and runs in another, as a non-root user, with a HEALTHCHECK and the role as argument', () => {
    expect(stages).toEqual(['build', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.search(/^FROM .* AS runtime/m));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*/m);
    expect(runtime).toContain('ENTRYPOINT ["node", "--conditions=tributary-dist", "server/dist/main.js"]');
    expect(runtime).toContain('CMD ["--role", "all"]');
    // no TypeScript loader and no pnpm at run time
    expect(runtime).not.toMatch(/tsx|pnpm /);
    expect(dockerfile).toContain('pnpm install --frozen-lockfile --offline');
    expect(dockerfile).toContain('pnpm build');
  });

  it('copies into the runtime image only paths the build produces', () => {
    const copied = [...dockerfile.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].map((m) => m[1]);
    expect(copied).toEqual(expect.arrayContaining(['server/dist', 'prisma/dist', 'prisma/migrations', 'web/dist', 'node_modules']));
    // and the server finds migrations and the dashboard relative to its compiled files
    const migrate = readFileSync(path.join(ROOT, 'server/src/db/migrate.ts'), 'utf8');
    expect(migrate).toContain("'../../../prisma/migrations'");
  });
});
