// A directory on the server, under TRIBUTARY_SARIF_ROOT, holding SARIF reports: each sub-directory is
// one VEP (key = its name), and the newest .sarif / .sarif.json file in it is that VEP's current state.
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConnectorError } from './connector-error.ts';
import type { ConnectorKind, KindContext, NormalizedFinding, Vep } from './kind.ts';
import { InvalidSarif, parseSarif } from './sarif-parse.ts';
import { isUnder } from './sarif-root.ts';
import { detectFileFormat, readOtherReport, reportNames, SARIF_FILE } from './report-format.ts';

// findings are handed on in slices this big, like one page of an API
const SLICE = 500;

export const sarifDirectoryKind: ConnectorKind = {
  id: 'sarif-directory',
  label: 'SARIF directory',
  fields: [
    { name: 'path', label: 'Directory', type: 'path', required: true, secret: false, help: 'A directory on the server under TRIBUTARY_SARIF_ROOT, absolute or relative to it (saved absolute); each sub-directory is one project, its newest .sarif file is imported' },
  ],
  // Fingerprints (a tool's own tracking id) survive code moving lines, so they come first; a tool
  // that starts or stops writing fingerprints between reports changes the id, and the hash over
  // what a reader would call "the same finding" keeps those matched. The hash is DefectDojo's SARIF
  // one: its legacy fields in its order (title, cwe, line, file_path, description), so a finding
  // imported there and here carries the same hash_code.
  dedupe: { algorithm: 'unique_id_from_tool_or_hash_code', hashFields: ['title', 'cwe', 'line', 'file_path', 'description'] },

  async testConnection(ctx) {
    const tree = await treeOf(ctx);
    const dirs = await subDirectories(tree.dir);
    return `Read ${tree.dir}: ${dirs.length} sub-director${dirs.length === 1 ? 'y' : 'ies'}`;
  },

  async *discover(ctx): AsyncIterable<Vep> {
    const tree = await treeOf(ctx);
    for (const name of await subDirectories(tree.dir)) {
      const newest = await newestReport(tree, path.join(tree.dir, name));
      yield { key: name, name, metadata: newest ? { file: path.basename(newest.file), modifiedAt: newest.mtime.toISOString() } : { file: null } };
    }
  },

  async *fetchFindings(ctx, vep): AsyncIterable<NormalizedFinding[]> {
    const tree = await treeOf(ctx);
    const dir = path.resolve(tree.dir, vep.key);
    if (path.dirname(dir) !== path.resolve(tree.dir)) throw new ConnectorError(`"${vep.key}" is not a sub-directory name`);
    const newest = await newestReport(tree, dir);
    // an empty directory is more likely a report being replaced than "everything was fixed":
    // failing here closes nothing
    if (!newest) throw new ConnectorError(`${dir} holds no .sarif or .sarif.json file`);
    await confine(tree, newest.file);
    // streamed, so a report of any size is read in constant memory. An invalid one can fail after
    // some pages were handed on; the reimport taking them then rolls back, closing nothing.
    try {
      // CycloneDX, Trivy and Grype JSON are told from SARIF by content (report-format.ts)
      const format = SARIF_FILE.test(newest.file) ? 'sarif' : await detectFileFormat(newest.file);
      if (format === null) throw new ConnectorError(`${newest.file} is not a SARIF, CycloneDX, Trivy or Grype JSON report`);
      if (format !== 'sarif') return yield* readOtherReport(newest.file, format, newest.mtime, SLICE);
      yield* parseSarif(createReadStream(newest.file, { encoding: 'utf8' }), newest.mtime, SLICE);
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      if (e instanceof InvalidSarif) throw new ConnectorError(`${newest.file} is not a valid SARIF 2.1.0 log: ${e.message}`);
      throw fsError(e, newest.file);
    }
  },

  // The inode and the change time (which no one can set back) make any rewrite or replacement of the
  // file visible even with the same bytes; the content hash covers filesystems with coarse times.
  // sha256 of the bench's 34 MB report: ~100 ms, against ~2.5 s to read and parse it.
  async reportFingerprint(ctx, vep) {
    try {
      const tree = await treeOf(ctx);
      const newest = await newestReport(tree, path.resolve(tree.dir, vep.key));
      if (!newest) return null;
      await confine(tree, newest.file);
      const s = await stat(newest.file, { bigint: true });
      const hash = crypto.createHash('sha256');
      for await (const chunk of createReadStream(newest.file)) hash.update(chunk as Buffer);
      return [newest.file, s.ino, s.size, s.mtimeNs, s.ctimeNs, hash.digest('base64')].join('\u0000');
    } catch {
      // fetchFindings reads the same tree and says what is wrong with it
      return null;
    }
  },
};

/** The connector's directory and the root it must stay under; `realRoot` has its symlinks followed. */
interface Tree { dir: string; root: string; realRoot: string }

// Validation checked options.path when the connector was saved; checked again here because the
// root may have moved since, and a symlink may have been swapped in.
async function treeOf(ctx: KindContext): Promise<Tree> {
  const dir = ctx.config.options.path;
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) throw new ConnectorError('options.path must be an absolute directory');
  const root = ctx.sarifRoot;
  if (!isUnder(root, path.resolve(dir))) throw outside(dir, root);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (e) {
    throw fsError(e, `TRIBUTARY_SARIF_ROOT (${root})`);
  }
  const tree = { dir, root, realRoot };
  await confine(tree, dir);
  return tree;
}

/**
 * Fails unless `p`, with its symlinks followed, lies under the root: called right before each
 * directory is listed and the report is opened. A swap between the check and the read needs write
 * access inside the root, which only the operator has.
 */
async function confine(tree: Tree, p: string): Promise<void> {
  let real: string;
  try {
    real = await realpath(p);
  } catch (e) {
    throw fsError(e, p);
  }
  if (!isUnder(tree.realRoot, real)) throw outside(p, tree.root);
}

function outside(p: string, root: string): ConnectorError {
  return new ConnectorError(`${p} leads outside TRIBUTARY_SARIF_ROOT (${root}), so it is not read`);
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

async function newestReport(tree: Tree, dir: string): Promise<Report | null> {
  await confine(tree, dir);
  let names: string[];
  try {
    names = await reportNames(dir, (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name));
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
