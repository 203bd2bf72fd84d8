import { runTool } from './tools.js';
import { parseXattrDump } from './xattr-dump.js';

/**
 * `readTreeXattrs` reads every extended attribute of every object under `dir` with ONE
 * `getfattr -R` (symlinks not followed, their own xattrs read) and returns them by path
 * relative to `dir` (`''` is `dir` itself), names sorted. Objects without xattrs are absent.
 * Run it in the user namespace that wrote the tree: the kernel translates `security.capability`
 * (its v3 root id) for the reader's namespace.
 */
export async function readTreeXattrs(dir: string): Promise<Map<string, Map<string, Buffer>>> {
  const dump = await runTool('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', dir]);
  const out = new Map<string, Map<string, Buffer>>();
  const prefix = dir.replace(/\/+$/, '');
  for (const r of parseXattrDump(dump)) {
    const rel = r.path === prefix ? '' : r.path.startsWith(`${prefix}/`) ? r.path.slice(prefix.length + 1) : undefined;
    if (rel === undefined) continue;
    let names = out.get(rel);
    if (!names) out.set(rel, (names = new Map()));
    names.set(r.name, r.value);
  }
  for (const [rel, names] of out) out.set(rel, new Map([...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  return out;
}
