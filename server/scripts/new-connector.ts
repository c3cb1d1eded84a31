// `pnpm new:connector <id> [--label "Acme Scanner"] [--root <dir>]`: scaffolds a connector kind
// (server/src/connectors/<id>.ts), its fake (test/fakes/<id>.ts) and its test
// (test/connectors/<id>.test.ts) from connector-templates/, then prints the registry lines to add.
// docs/connectors.md says what to change in each. `--root` writes into another tree (the
// scaffold's own test, test/connectors/new-connector.test.ts, uses a temporary one).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const USAGE = 'usage: pnpm new:connector <id> [--label "Acme Scanner"] [--root <dir>]   (id in kebab-case, e.g. acme-scanner)';
const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const TEMPLATES = path.join(import.meta.dirname, 'connector-templates');

/** A refusal: the message goes to stderr and the command exits 1, having written nothing. */
export class ScaffoldRefused extends Error {}

interface Args { id: string; label: string; root: string }

function parseArgs(argv: string[]): Args | 'help' {
  let id: string | undefined;
  let label: string | undefined;
  let root = path.resolve(import.meta.dirname, '../..');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root' || arg === '--label') {
      const value = argv[++i];
      if (!value) refuse(`${arg} needs a value\n${USAGE}`);
      if (arg === '--root') root = path.resolve(value); else label = value;
    } else if (arg === '--help' || arg === '-h') {
      return 'help';
    } else if (arg.startsWith('-')) {
      refuse(`unknown option ${arg}\n${USAGE}`);
    } else if (id === undefined) {
      id = arg;
    } else {
      refuse(`one id at a time (got "${id}" and "${arg}")\n${USAGE}`);
    }
  }
  if (!id) refuse(USAGE);
  if (!ID.test(id) || id.length > 40) {
    refuse(`"${id}" is not a valid connector id: use kebab-case, lower-case letters and digits in words joined by "-", starting with a letter, at most 40 characters (e.g. acme-scanner)`);
  }
  return { id, root, label: label ?? id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ') };
}

function refuse(message: string): never {
  throw new ScaffoldRefused(message);
}

/** The kind ids already taken in `root`: every `id: '…'` of a ConnectorKind under server/src/connectors. */
function registeredIds(root: string): Map<string, string> {
  const dir = path.join(root, 'server/src/connectors');
  const taken = new Map<string, string>();
  if (!existsSync(dir)) return taken;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/:\s*ConnectorKind\s*=\s*\{\s*id:\s*'([^']+)'/g)) taken.set(m[1]!, `server/src/connectors/${file}`);
  }
  return taken;
}

/** Writes the three files for the id in argv and returns what to print; throws ScaffoldRefused. */
export function scaffoldConnector(argv: string[]): string {
  const args = parseArgs(argv);
  if (args === 'help') return USAGE;
  const { id, label, root } = args;
  const pascal = id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const camel = pascal[0]!.toLowerCase() + pascal.slice(1);
  const constant = id.replace(/-/g, '_').toUpperCase();

  const targets = [
    { template: 'kind.ts.tmpl', file: `server/src/connectors/${id}.ts` },
    { template: 'fake.ts.tmpl', file: `test/fakes/${id}.ts` },
    { template: 'test.ts.tmpl', file: `test/connectors/${id}.test.ts` },
  ];

  const owner = registeredIds(root).get(id);
  if (owner) refuse(`connector "${id}" already exists (${owner} declares it); choose another id or change the existing kind`);
  const present = targets.filter((t) => existsSync(path.join(root, t.file)));
  if (present.length) refuse(`connector "${id}" already exists: ${present.map((t) => t.file).join(', ')} ${present.length === 1 ? 'is' : 'are'} there; nothing was written`);

  const out: string[] = [];
  for (const t of targets) {
    const text = readFileSync(path.join(TEMPLATES, t.template), 'utf8')
      .replaceAll('__ID__', id)
      .replaceAll('__LABEL__', label)
      .replaceAll('__PASCAL__', pascal)
      .replaceAll('__CAMEL__', camel)
      .replaceAll('__CONST__', constant);
    const file = path.join(root, t.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'wx' });
    out.push(`created ${t.file}`);
  }
  out.push(`
Register the kind and its fake (the conformance suite then runs ${id} with every other kind):
  server/src/connectors/registry.ts   import { ${camel}Kind } from './${id}.ts';
                                      ${camel}Kind,                       (in connectorKinds)
  test/fakes/index.ts                 import { start${pascal}Fake } from './${id}.ts';
                                      '${id}': start${pascal}Fake,        (in fakes)
Then adapt the three files to the tool's documentation (docs/connectors.md), add a row to the README's
connector table, and run: cd test && npx vitest run connectors/${id} connectors/conformance -t ${id}`);
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    console.log(scaffoldConnector(process.argv.slice(2)));
  } catch (e) {
    if (!(e instanceof ScaffoldRefused)) throw e;
    console.error(`new:connector: ${e.message}`);
    process.exit(1);
  }
}
