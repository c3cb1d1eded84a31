// TRIBUTARY_SARIF_ROOT is the only directory tree a connector may read from the server's disk. A
// `path` option is checked against it when a connector is saved (here), and again on every read
// (sarif-directory.ts): a symlink can be swapped in, or the root moved, after the connector was saved.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** `p` is `root` or below it; both absolute and normalized (real paths when symlinks matter). */
export function isUnder(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A `path` option as it is stored: relative to the root when not absolute, normalized, absolute (so
 * moving the root makes the connector fail rather than silently read another tree). It must lie
 * under the root as written and once symlinks are followed. A directory that does not exist yet is
 * allowed when its nearest existing ancestor really lies under the root: a CI job may create it later.
 * Synchronous because connector input is validated synchronously; saving a connector is a rare
 * administrator action and a few realpath calls on a local disk take microseconds.
 */
export function confinePath(root: string, input: string): { path: string } | { problem: string } {
  const outside = { problem: `must lie under TRIBUTARY_SARIF_ROOT (${root})` };
  const dir = path.resolve(root, input);
  if (!isUnder(root, dir)) return outside;
  try {
    if (!isUnder(realPrefix(root), realPrefix(dir))) return outside;
    const found = statSync(dir, { throwIfNoEntry: false });
    if (found && !found.isDirectory()) return { problem: `${dir} is not a directory` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return { problem: `${dir} is not a directory` };
    return { problem: `${dir} could not be checked: ${(e as Error).message}` };
  }
  return { path: dir };
}

/** The real path of the longest existing prefix of `p`, followed by the rest (which holds no symlink: it does not exist). */
function realPrefix(p: string): string {
  const rest: string[] = [];
  for (let head = p; ; head = path.dirname(head)) {
    try {
      return path.join(realpathSync.native(head), ...rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(head) === head) throw e;
    }
    rest.unshift(path.basename(head));
  }
}
