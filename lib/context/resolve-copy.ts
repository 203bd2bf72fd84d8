import { mkdir, mkdtemp } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Heredoc } from '../dockerfile/instructions.js';
import type { ContextEntry } from './entry.js';
import { ContextError } from './errors.js';
import { readArchive, sniffArchive } from './archive.js';
import { parseChmod, parseChown, parseUserDb, type Owner, type UserDb } from './owner.js';
import type { Tree, TreeNode } from './source-tree.js';
import { compileGlob, hasWildcard, matchGlob } from './wildcard.js';

/** `CopySpec` is a COPY or ADD after word expansion: what to copy, where, with which flags. */
export interface CopySpec {
  instruction: 'COPY' | 'ADD';
  sources: string[];
  dest: string;
  /** The WORKDIR in effect: a relative `dest` is resolved against it. */
  workdir: string;
  chown?: string | undefined;
  chmod?: string | undefined;
  exclude?: string[] | undefined;
  parents?: boolean | undefined;
  heredocs?: Heredoc[] | undefined;
}

/** Options of `resolveCopy`. */
export interface ResolveOptions {
  /** Name lookup for `--chown=user:group` (the destination stage's /etc/passwd and /etc/group). */
  users?: UserDb | undefined;
  /** Whether a destination path already is a directory in the destination (then a file goes inside it). */
  destIsDir?: ((absPath: string) => boolean) | undefined;
  /** Where ADD spools the bytes of local archives' members; the caller removes it once the entries are written. */
  tmpDir?: string | undefined;
}

/**
 * `resolveCopy` turns a COPY/ADD into the exact list of entries it creates, with Docker's rules:
 * a directory source copies its contents (not itself); a file goes to `dest` or, when `dest`
 * ends in `/` or there are several sources, to `dest/<name>`; wildcards match per path segment;
 * `--exclude` patterns prune matching paths; `--parents` keeps each source's path (below a `/./`
 * pivot if present); `--chown`/`--chmod` set owner and mode (default root:root, source mode);
 * ADD unpacks local tar archives into `dest`. Parents of `dest` come first, marked `implicit`.
 *
 * @example resolveCopy({ instruction: 'COPY', sources: ['src/'], dest: '/app/', workdir: '/' }, contextTree)
 */
export async function resolveCopy(spec: CopySpec, tree: Tree, opts: ResolveOptions = {}): Promise<ContextEntry[]> {
  const destAbs = posix.resolve(spec.workdir || '/', spec.dest);
  const destDirLike = /(^|\/)\.{0,2}$/.test(spec.dest) || spec.dest.endsWith('/');
  const owner: Owner = spec.chown ? parseChown(spec.chown, opts.users ?? parseUserDb('', '')) : { uid: 0, gid: 0 };
  const chmod = spec.chmod ? parseChmod(spec.chmod) : undefined;
  const excludes = (spec.exclude ?? []).map((p) => p.replace(/^\/+/, ''));
  const isExcluded = (rel: string): boolean => excludes.some((p) => pathOrParentMatches(p, rel));
  const label = spec.instruction;

  const sources = await expandSources(spec, tree, isExcluded);
  const multiple = sources.length > 1;
  const intoDir = destDirLike || (opts.destIsDir?.(destAbs) ?? false);
  if (multiple && !intoDir) {
    throw new ContextError('OCIBAKE_CONTEXT', `${label} with more than one source needs a directory destination: "${spec.dest}" does not end with /`, {
      hint: `write ${spec.dest}/`,
    });
  }

  const out: ContextEntry[] = [];
  const modeOf = (n: TreeNode): number => chmod ?? n.stats.mode & 0o7777;
  // Files that share an inode are copied once and then linked, as BuildKit's copy does
  // (git-core's 100+ hard-linked commands stay one file in the layer, not 100 copies).
  const firstCopyOf = new Map<string, ContextEntry>();
  const linkedTo = new Map<ContextEntry, ContextEntry>();
  const push = (n: TreeNode, destPath: string): void => {
    const e: ContextEntry = { type: 'file', destPath, mode: modeOf(n), uid: owner.uid, gid: owner.gid, size: 0, mtimeMs: n.stats.mtimeMs };
    if (n.stats.isDirectory()) e.type = 'dir';
    else if (n.stats.isSymbolicLink()) {
      e.type = 'symlink';
      e.linkTarget = n.linkTarget ?? '';
      e.mode = 0o777;
    } else if (n.stats.isFile()) {
      e.hostPath = n.hostPath;
      e.size = n.stats.size;
      if (n.stats.nlink > 1) {
        const inode = `${n.stats.dev}:${n.stats.ino}`;
        const first = firstCopyOf.get(inode);
        if (first === undefined) firstCopyOf.set(inode, e);
        else if (first.destPath !== destPath) {
          e.type = 'hardlink';
          e.linkTarget = first.destPath;
          linkedTo.set(e, first);
        }
      }
    } else return; // sockets, fifos, devices and overlay whiteouts (char 0/0) are not copied
    out.push(e);
  };
  const copyDirContents = async (n: TreeNode, to: string): Promise<void> => {
    push(n, to);
    for (const child of await tree.walk(n, isExcluded)) push(child, posix.join(to, child.rel));
  };

  for (const s of sources) {
    if (s.kind === 'heredoc') {
      const to = intoDir ? posix.join(destAbs, s.name) : destAbs;
      const content = Buffer.from(s.content);
      out.push({ type: 'file', destPath: to, content, size: content.length, mode: chmod ?? 0o644, uid: owner.uid, gid: owner.gid });
      continue;
    }
    const n = s.node;
    if (spec.parents) {
      const to = posix.join(destAbs, s.parentsRel);
      if (n.stats.isDirectory()) await copyDirContents(n, to);
      else push(n, to);
      continue;
    }
    if (n.stats.isDirectory()) {
      await copyDirContents(n, destAbs);
      continue;
    }
    if (spec.instruction === 'ADD' && n.stats.isFile()) {
      const kind = await sniffArchive(n.hostPath);
      if (kind) {
        if (!opts.tmpDir) throw new ContextError('OCIBAKE_CONTEXT', 'ADD of an archive needs a scratch directory', { hint: 'pass tmpDir to resolveCopy' });
        await mkdir(opts.tmpDir, { recursive: true });
        const members = await readArchive(n.hostPath, kind, destAbs, await mkdtemp(join(opts.tmpDir, 'add-')), n.rel);
        for (const m of members) {
          if (spec.chown) Object.assign(m, owner);
          if (chmod !== undefined && m.type !== 'symlink') m.mode = chmod;
          out.push(m);
        }
        continue;
      }
    }
    push(n, intoDir ? posix.join(destAbs, posix.basename(n.rel || n.hostPath)) : destAbs);
  }
  return withParents(wholeLinks(dedupe(out), linkedTo), owner);
}

type Source = { kind: 'node'; node: TreeNode; parentsRel: string } | { kind: 'heredoc'; name: string; content: string };

async function expandSources(spec: CopySpec, tree: Tree, isExcluded: (rel: string) => boolean): Promise<Source[]> {
  const out: Source[] = [];
  for (const raw of spec.sources) {
    const doc = heredocFor(raw, spec.heredocs ?? []);
    if (doc) {
      out.push({ kind: 'heredoc', name: doc.name, content: doc.content });
      continue;
    }
    if (/^(https?|git):\/\//.test(raw) || /^git@/.test(raw)) {
      throw new ContextError('OCIBAKE_CONTEXT', `${spec.instruction} ${raw}: remote sources are not supported`, {
        hint: 'download it in a build stage (RUN curl/git) and COPY --from that stage',
      });
    }
    const pivot = raw.indexOf('/./');
    const parentsRel = (r: string): string => (pivot >= 0 ? tree.clean(r.slice(tree.clean(raw.slice(0, pivot)).length)) : r);
    const rel = tree.clean(raw);
    if (hasWildcard(rel)) {
      const matches = (await globTree(tree, rel)).filter((m) => !isExcluded(m));
      if (matches.length === 0) throw notFound(spec.instruction, raw, tree, true);
      for (const m of matches) {
        const node = await tree.lookup(m);
        if (node) out.push({ kind: 'node', node, parentsRel: parentsRel(m) });
      }
      continue;
    }
    if (isExcluded(rel) && rel !== '') continue;
    const node = await tree.lookup(rel);
    if (!node) throw notFound(spec.instruction, raw, tree, false);
    out.push({ kind: 'node', node, parentsRel: parentsRel(rel) });
  }
  // The parser keeps heredoc bodies out of `sources` (`COPY <<EOF /etc/motd`); each is one more
  // source, after the paths, named as its marker, as BuildKit's SourceContents.
  const named = new Set(out.flatMap((x) => (x.kind === 'heredoc' ? [x.name] : [])));
  for (const h of spec.heredocs ?? []) if (!named.has(h.name)) out.push({ kind: 'heredoc', name: h.name, content: h.content });
  return out;
}

function heredocFor(raw: string, docs: Heredoc[]): Heredoc | undefined {
  if (!raw.startsWith('<<')) return undefined;
  const name = raw.replace(/^<<-?/, '').replace(/^["']|["']$/g, '');
  return docs.find((d) => d.name === name);
}

/** `globTree` lists the tree paths a wildcard source matches, segment by segment, sorted. */
async function globTree(tree: Tree, pattern: string): Promise<string[]> {
  const segs = pattern.split('/');
  if (segs.includes('**')) {
    const re = compileGlob(pattern);
    const root = await tree.lookup('');
    if (!root) return [];
    return (await tree.walk(root)).map((n) => n.rel).filter((r) => re.test(`/${r}`));
  }
  let current = [''];
  for (const seg of segs) {
    const next: string[] = [];
    for (const dir of current) {
      if (!hasWildcard(seg)) {
        next.push(dir === '' ? seg : `${dir}/${seg}`);
        continue;
      }
      for (const name of await tree.list(dir)) {
        if (matchGlob(seg, name)) next.push(dir === '' ? name : `${dir}/${name}`);
      }
    }
    current = next;
  }
  const found: string[] = [];
  for (const c of current) if (!tree.ignored(c) && (await tree.lookup(c))) found.push(c);
  return found.sort();
}

function pathOrParentMatches(pattern: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = parts.length; i > 0; i--) if (matchGlob(pattern, parts.slice(0, i).join('/'))) return true;
  return false;
}

function notFound(instruction: string, raw: string, tree: Tree, wildcard: boolean): ContextError {
  const rel = tree.clean(raw);
  const why = tree.ignored(rel) ? ' (it is excluded by .dockerignore)' : '';
  return new ContextError(
    'OCIBAKE_CONTEXT',
    wildcard ? `${instruction} ${raw}: no files in ${tree.label} match${why}` : `${instruction} ${raw}: "${rel}" not found in ${tree.label}${why}`,
    { hint: why ? 'remove the matching line from .dockerignore, or copy a different path' : `check the path; it is relative to ${tree.label} (${tree.root})` },
  );
}

/** Later entries for the same path win, except that a directory never replaces what is there. */
function dedupe(entries: ContextEntry[]): ContextEntry[] {
  const byPath = new Map<string, number>();
  const out: ContextEntry[] = [];
  for (const e of entries) {
    const at = byPath.get(e.destPath);
    if (at === undefined) {
      byPath.set(e.destPath, out.length);
      out.push(e);
    } else if (e.type !== 'dir' || out[at]!.type !== 'dir') {
      out[at] = e;
    }
  }
  return out;
}

/**
 * A hard link whose target a later source replaced (`COPY a/ b/ /dst/` where both hold `x`)
 * would name a file that is no longer there, or another one: it becomes a file of its own. Its
 * `hostPath` holds the same bytes. `linkedTo` knows the entry each COPY link was made for; an
 * archive's links name their target by the spool file they share.
 */
function wholeLinks(entries: ContextEntry[], linkedTo: ReadonlyMap<ContextEntry, ContextEntry>): ContextEntry[] {
  const seen = new Map<string, ContextEntry>();
  for (const e of entries) {
    if (e.type === 'hardlink') {
      const t = seen.get(e.linkTarget ?? '');
      const intact = linkedTo.has(e) ? t === linkedTo.get(e) : t !== undefined && (t.type === 'file' || t.type === 'hardlink') && t.hostPath === e.hostPath;
      if (!intact) {
        e.type = 'file';
        delete e.linkTarget;
      }
    }
    seen.set(e.destPath, e);
  }
  return entries;
}

function withParents(entries: ContextEntry[], owner: Owner): ContextEntry[] {
  const have = new Set(entries.map((e) => e.destPath));
  const parents: ContextEntry[] = [];
  for (const e of entries) {
    for (let p = posix.dirname(e.destPath); p !== '/' && !have.has(p); p = posix.dirname(p)) {
      have.add(p);
      parents.push({ type: 'dir', destPath: p, mode: 0o755, uid: owner.uid, gid: owner.gid, size: 0, implicit: true });
    }
  }
  parents.sort((a, b) => a.destPath.split('/').length - b.destPath.split('/').length || (a.destPath < b.destPath ? -1 : 1));
  return [...parents, ...entries];
}
