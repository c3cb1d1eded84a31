// A directory on the server holding SARIF reports: each sub-directory is one VEP (key = its name),
// and the newest .sarif / .sarif.json file in it is that VEP's current state.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConnectorError, type ConnectorKind, type KindContext, type NormalizedFinding, type Vep } from './kind.ts';
import { InvalidSarif, parseSarif } from './sarif-parse.ts';

// findings are handed on in slices this big, like one page of an API
const SLICE = 500;

export const sarifDirectoryKind: ConnectorKind = {
  id: 'sarif-directory',
  label: 'SARIF directory',
  fields: [
    { name: 'path', label: 'Directory', type: 'path', required: true, secret: false, help: 'An absolute directory on the server; each sub-directory is one project, its newest .sarif file is imported' },
  ],
  // Fingerprints (a tool's own tracking id) survive code moving lines, so they come first; a tool
  // that starts or stops writing fingerprints between reports changes the id, and the hash over
  // what a reader would call "the same finding" keeps those matched.
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'cwe', 'file_path', 'line', 'description'] },

  validateOptions(options) {
    const dir = options.path;
    if (typeof dir !== 'string' || !dir) return 'path is required';
    if (!path.isAbsolute(dir)) return 'path must be an absolute directory';
    return null;
  },

  async testConnection(ctx) {
    const dirs = await subDirectories(rootOf(ctx));
    return `Read ${rootOf(ctx)}: ${dirs.length} sub-director${dirs.length === 1 ? 'y' : 'ies'}`;
  },

  async *discover(ctx): AsyncIterable<Vep> {
    const root = rootOf(ctx);
    for (const name of await subDirectories(root)) {
      const newest = await newestReport(path.join(root, name));
      yield { key: name, name, metadata: newest ? { file: path.basename(newest.file), modifiedAt: newest.mtime.toISOString() } : { file: null } };
    }
  },

  async *fetchFindings(ctx, vep): AsyncIterable<NormalizedFinding[]> {
    const root = rootOf(ctx);
    const dir = path.resolve(root, vep.key);
    if (path.dirname(dir) !== path.resolve(root)) throw new ConnectorError(`"${vep.key}" is not a sub-directory name`);
    const newest = await newestReport(dir);
    // an empty directory is more likely a report being replaced than "everything was fixed":
    // failing here closes nothing
    if (!newest) throw new ConnectorError(`${dir} holds no .sarif or .sarif.json file`);
    // streamed, so a report of any size is read in constant memory. An invalid one can fail after
    // some pages were handed on; the reimport taking them then rolls back, closing nothing.
    try {
      yield* parseSarif(createReadStream(newest.file, { encoding: 'utf8' }), newest.mtime, SLICE);
    } catch (e) {
      if (e instanceof InvalidSarif) throw new ConnectorError(`${newest.file} is not a valid SARIF 2.1.0 log: ${e.message}`);
      throw fsError(e, newest.file);
    }
  },
};

function rootOf(ctx: KindContext): string {
  const dir = ctx.config.options.path;
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) throw new ConnectorError('options.path must be an absolute directory');
  return dir;
}

async function subDirectories(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { withFileTypes: true });
    // dot-directories are VCS or editor state (.git, .cache), never a project
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (e) {
    throw fsError(e, root);
  }
}

interface Report { file: string; mtime: Date; mtimeMs: number }

async function newestReport(dir: string): Promise<Report | null> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && /\.sarif(\.json)?$/i.test(e.name)).map((e) => e.name);
  } catch (e) {
    throw fsError(e, dir);
  }
  let newest: Report | null = null;
  for (const name of names) {
    const file = path.join(dir, name);
    const s = await stat(file);
    // equal times (a copy preserving mtime): the later name wins, so the choice is stable
    if (!newest || s.mtimeMs > newest.mtimeMs || (s.mtimeMs === newest.mtimeMs && file > newest.file)) newest = { file, mtime: s.mtime, mtimeMs: s.mtimeMs };
  }
  return newest;
}

function fsError(e: unknown, where: string): ConnectorError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ConnectorError(`${where} does not exist`);
  if (code === 'ENOTDIR') return new ConnectorError(`${where} is not a directory`);
  if (code === 'EACCES' || code === 'EPERM') return new ConnectorError(`${where} cannot be read by the server (permission denied)`);
  return new ConnectorError(`${where} could not be read: ${(e as Error).message}`);
}
