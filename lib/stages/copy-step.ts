import { mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { entriesDigest } from '../context/entries-digest.js';
import { parseUserDb } from '../context/owner.js';
import { resolveCopy, type CopySpec } from '../context/resolve-copy.js';
import type { Tree } from '../context/source-tree.js';
import type { ChainView } from '../snapshot/chain-view.js';
import { copySpecFor, dirLike, writeCopyLayer } from '../assemble/copy-layer.js';
import type { Step } from '../plan/types.js';
import type { StageContext } from './stage-context.js';
import type { StepRecord } from './step-records.js';

/** Where a COPY/ADD reads: a tree, and what identifies its content for the step's cache key. */
export interface CopySourceTree {
  /** The files; asked for only when the step runs, so a cached COPY --from never unpacks its source. */
  tree: () => Promise<Tree>;
  /** For another stage or an image: its key or digest. Undefined for the build context, whose files are hashed. */
  identity?: string | undefined;
}

/**
 * `copyKeyPayload` is what a COPY/ADD's cache key is made of besides its parent: the instruction
 * after expansion, and either the source stage's key (or image digest) or the digest of the
 * build-context files it names. It needs nothing of the destination filesystem, so an unchanged
 * COPY is recognised without unpacking anything.
 */
export async function copyKeyPayload(step: Step, source: CopySourceTree, ctx: StageContext): Promise<unknown> {
  const spec = copySpecFor(step);
  const link = step.instruction.kind === 'COPY' && step.instruction.link;
  const what = { ...spec, heredocs: spec.heredocs?.map((h) => [h.name, h.content]), link };
  if (source.identity !== undefined) return { what, from: source.identity };
  const tmp = await mkdtemp(join(ctx.tmpDir, 'key-'));
  try {
    const entries = await resolveCopy({ ...spec, chown: undefined }, await source.tree(), { destIsDir: () => true, tmpDir: tmp });
    return { what, content: await entriesDigest(entries, ctx.hasher) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * `copyStep` runs one COPY/ADD with Docker's rules (`resolveCopy`) and writes its layer (memoised
 * by content). It reads the destination filesystem only when the rules need it: whether a
 * destination without a trailing slash is an existing directory, and /etc/passwd and /etc/group
 * for `--chown=name` (`COPY --link` never looks).
 */
export async function copyStep(step: Step, source: CopySourceTree, view: () => Promise<ChainView>, ctx: StageContext): Promise<StepRecord> {
  const spec: CopySpec = copySpecFor(step);
  const ins = step.instruction;
  const link = ins.kind === 'COPY' && ins.link;
  const destAbs = posix.resolve(step.workdir || '/', spec.dest);
  let destIsDir = false;
  let users;
  if (!link && !dirLike(spec.dest)) destIsDir = (await (await view()).stat(destAbs))?.stats.isDirectory() ?? false;
  if (spec.chown && /[^0-9:]/.test(spec.chown)) {
    const v = await view();
    const text = async (p: string): Promise<string> => (await v.readFile(p).catch(() => Buffer.alloc(0))).toString('utf8');
    users = parseUserDb(await text('/etc/passwd'), await text('/etc/group'));
  }
  const tmp = await mkdtemp(join(ctx.tmpDir, 'add-'));
  try {
    const entries = (await resolveCopy(spec, await source.tree(), { users, destIsDir: (p) => (p === destAbs ? destIsDir : false), tmpDir: tmp })).filter(
      (e) => e.destPath !== '/',
    );
    if (entries.length === 0) return { layer: null };
    const s = ctx.settings;
    const w = await writeCopyLayer(entries, {
      cache: ctx.cache,
      memo: ctx.memo,
      hasher: ctx.hasher,
      settings: { format: s.format, sourceDateEpoch: s.sourceDateEpoch, level: s.level, compression: 'gzip', noCache: s.noCache },
    });
    return { layer: { descriptor: w.descriptor, diffId: w.diffId } };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
