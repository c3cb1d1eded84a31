// `pnpm new:connector` (server/scripts/new-connector.ts) run into a temporary tree that mirrors the
// repository through symlinks: it writes the kind, its fake and its test, refuses an id that is
// taken or not kebab-case, prints the registry lines, and what it writes type-checks with the
// repository's compiler options and works: registered with the printed lines, the scaffolded kind
// passes its scaffolded test and the conformance suite against its scaffolded fake.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaffoldRefused, scaffoldConnector } from '../../server/scripts/new-connector.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(REPO, 'server/scripts/new-connector.ts');
const FILES = ['server/src/connectors/acme-scanner.ts', 'test/fakes/acme-scanner.ts', 'test/connectors/acme-scanner.test.ts'];

let root: string;

/** The command as pnpm runs it (one process: the first test proves the entry point). */
function scaffoldCli(...args: string[]) {
  const run = spawnSync(path.join(REPO, 'node_modules/.bin/tsx'), [SCRIPT, ...args, '--root', root], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same, in process: the refusal's message, or null when it wrote the files. */
function refusal(...args: string[]): string | null {
  try {
    scaffoldConnector([...args, '--root', root]);
    return null;
  } catch (e) {
    if (e instanceof ScaffoldRefused) return e.message;
    throw e;
  }
}

/** Links every entry of `from` into `to` (a real directory), except the names given. */
function mirror(from: string, to: string, except: string[] = []) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (!except.includes(name)) symlinkSync(path.join(from, name), path.join(to, name));
}

beforeAll(() => {
  // the existing kinds and fakes are visible (so a taken id is refused), the directories the
  // script writes into are real ones, and node_modules resolve as they do in the repository
  root = mkdtempSync(path.join(os.tmpdir(), 'tributary-new-connector-'));
  mirror(path.join(REPO, 'server/src'), path.join(root, 'server/src'), ['connectors']);
  mirror(path.join(REPO, 'server/src/connectors'), path.join(root, 'server/src/connectors'));
  mirror(path.join(REPO, 'test/fakes'), path.join(root, 'test/fakes'));
  mkdirSync(path.join(root, 'test/connectors'));
  for (const link of ['node_modules', 'server/node_modules', 'test/node_modules', 'test/support']) symlinkSync(path.join(REPO, link), path.join(root, link));
});
afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

describe('pnpm new:connector', () => {
  it('writes the kind, its fake and its test, named after the id, and prints the registry lines', () => {
    const run = scaffoldCli('acme-scanner');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const file of FILES) {
      expect(run.stdout).toContain(`created ${file}`);
      expect(existsSync(path.join(root, file))).toBe(true);
      expect(readFileSync(path.join(root, file), 'utf8')).toContain('acme-scanner');
    }
    const kind = readFileSync(path.join(root, FILES[0]!), 'utf8');
    expect(kind).toContain('export const acmeScannerKind: ConnectorKind = {');
    expect(kind).toContain("id: 'acme-scanner',");
    expect(kind).toContain("label: 'Acme Scanner',");
    expect(kind).not.toMatch(/__[A-Z]+__/);
    expect(readFileSync(path.join(root, FILES[1]!), 'utf8')).toContain('export async function startAcmeScannerFake(): Promise<FakeTool>');
    expect(run.stdout).toContain("import { acmeScannerKind } from './acme-scanner.ts';");
    expect(run.stdout).toContain("import { startAcmeScannerFake } from './acme-scanner.ts';");
    expect(run.stdout).toContain("'acme-scanner': startAcmeScannerFake,");
    // nothing was written into the repository itself
    expect(existsSync(path.join(REPO, FILES[0]!))).toBe(false);
  });

  it('refuses an id that is taken, by its files or by a registered kind, and writes nothing', () => {
    const before = readFileSync(path.join(root, FILES[0]!), 'utf8');
    writeFileSync(path.join(root, FILES[0]!), before + '// edited\n');
    expect(refusal('acme-scanner')).toBe('connector "acme-scanner" already exists (server/src/connectors/acme-scanner.ts declares it); choose another id or change the existing kind');
    expect(readFileSync(path.join(root, FILES[0]!), 'utf8')).toBe(before + '// edited\n');
    writeFileSync(path.join(root, FILES[0]!), before);
    expect(refusal('harbor')).toBe('connector "harbor" already exists (server/src/connectors/harbor.ts declares it); choose another id or change the existing kind');
    // a leftover fake alone is enough to refuse: nothing is overwritten
    writeFileSync(path.join(root, 'test/fakes/left-over.ts'), '// a fake without a kind\n');
    expect(refusal('left-over')).toBe('connector "left-over" already exists: test/fakes/left-over.ts is there; nothing was written');
    expect(existsSync(path.join(root, 'server/src/connectors/left-over.ts'))).toBe(false);
    // as a command: exit 1 and the message on stderr
    const cli = scaffoldCli('harbor');
    expect([cli.status, cli.stdout, cli.stderr]).toEqual([1, '', 'new:connector: connector "harbor" already exists (server/src/connectors/harbor.ts declares it); choose another id or change the existing kind\n']);
  });

  it('refuses an id that is not kebab-case, naming the rule', () => {
    for (const id of ['Acme_Scanner', 'acme--scanner', '9lives', 'acme-', 'acme scanner', 'a'.repeat(41)]) {
      expect(refusal(id), id).toBe(`"${id}" is not a valid connector id: use kebab-case, lower-case letters and digits in words joined by "-", starting with a letter, at most 40 characters (e.g. acme-scanner)`);
    }
    expect(refusal()).toMatch(/^usage: pnpm new:connector <id>/);
    expect(refusal('a', 'b')).toMatch(/^one id at a time \(got "a" and "b"\)/);
    expect(readdirSync(path.join(root, 'test/connectors'))).toEqual(['acme-scanner.test.ts']);
  });

  it('what it writes type-checks with the repository\'s compiler options', () => {
    // the kind and its fake (the test is checked by running it, below: type-checking it too pulls in
    // every registered kind through test/support and doubles the ~6 s this takes)
    writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({
      extends: path.join(REPO, 'tsconfig.base.json'),
      compilerOptions: { paths: { '@tributary/server/*': ['./server/src/*'] } },
      files: FILES.slice(0, 2),
    }));
    const tsc = spawnSync(path.join(REPO, 'node_modules/.bin/tsc'), ['-p', path.join(root, 'tsconfig.json')], { encoding: 'utf8', timeout: 45_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('registered with the two printed lines, the scaffold passes its own test and the conformance suite', () => {
    // the registry and the fakes' index as the printed lines leave them (copies: the tree's are links)
    const registry = readFileSync(path.join(REPO, 'server/src/connectors/registry.ts'), 'utf8');
    const index = readFileSync(path.join(REPO, 'test/fakes/index.ts'), 'utf8');
    const kinds = 'export const connectorKinds: readonly ConnectorKind[] = [';
    const fakes = 'export const fakes: Record<string, () => Promise<FakeTool>> = {';
    expect(registry).toContain(kinds);
    expect(index).toContain(fakes);
    for (const [file, text] of [['server/src/connectors/registry.ts', registry.replace(kinds, `import { acmeScannerKind } from './acme-scanner.ts';\n${kinds}\n  acmeScannerKind,`)],
      ['test/fakes/index.ts', index.replace(fakes, `import { startAcmeScannerFake } from './acme-scanner.ts';\n${fakes}\n  'acme-scanner': startAcmeScannerFake,`)]] as const) {
      rmSync(path.join(root, file));
      writeFileSync(path.join(root, file), text);
    }
    copyFileSync(path.join(REPO, 'test/connectors/conformance.test.ts'), path.join(root, 'test/connectors/conformance.test.ts'));
    // vitest in the temporary tree, the @tributary/server imports of the new and changed files pointed at it
    writeFileSync(path.join(root, 'test/vitest.config.mts'), [
      "import { defineConfig } from 'vitest/config';",
      `export default defineConfig({ resolve: { alias: [{ find: /^@tributary\\/server\\/connectors\\/(registry|acme-scanner)\\.ts$/, replacement: ${JSON.stringify(path.join(root, 'server/src/connectors'))} + '/$1.ts' }] }, test: { include: ['connectors/*.test.ts'] } });`,
    ].join('\n'));
    const run = spawnSync(path.join(REPO, 'test/node_modules/.bin/vitest'), ['run', '--root', path.join(root, 'test'), '-t', 'acme-scanner|the registry and the fakes'],
      { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    // the scaffold's 5 tests, the registry check and the 12 conformance cases for acme-scanner
    expect(run.stdout + run.stderr).toMatch(/Tests\s+18 passed/);
    expect(run.status).toBe(0);
  });
});
