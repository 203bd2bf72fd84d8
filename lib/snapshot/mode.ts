import { SnapshotError } from './errors.js';

/**
 * `SnapshotMode` is how snapshots are mounted, which decides their on-disk format: `root` for
 * kernel overlayfs mounted by real root (opaque directories carry `trusted.overlay.opaque`),
 * `userns` for kernel overlayfs mounted with `userxattr` inside a user namespace
 * (`user.overlay.opaque`; `trusted.*` cannot be written there). Whiteouts are char 0:0 devices in
 * both. Snapshots of one mode are useless in the other, so stores are keyed by mode.
 */
export type SnapshotMode = 'root' | 'userns';

/** `SNAPSHOT_MODES` lists the modes, for validation. */
export const SNAPSHOT_MODES: readonly SnapshotMode[] = ['root', 'userns'];

/** `opaqueXattr` is the xattr the kernel reads to treat a directory as opaque in this mode. */
export function opaqueXattr(mode: SnapshotMode): string {
  return mode === 'root' ? 'trusted.overlay.opaque' : 'user.overlay.opaque';
}

/**
 * `isOverlayXattr` tells overlay's own bookkeeping (`trusted.overlay.*`, `user.overlay.*`,
 * fuse-overlayfs's `user.fuseoverlayfs.*`) from the image's xattrs. These never go into a layer,
 * and one found in a layer is never applied: `redirect` or `metacopy` smuggled in by an image
 * would make the kernel look up paths the layer does not contain.
 */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.') || name.startsWith('user.fuseoverlayfs.');
}

/**
 * `overlayMountOptions` is the `-o` argument of `mount -t overlay` over snapshot dirs (lowest
 * first, as a chain is ordered; overlayfs lists the top-most lower first). Without `upper` the
 * mount is read-only.
 *
 *   mount -t overlay overlay -o ${overlayMountOptions('userns', [a, b], { upper, work })} merged
 */
export function overlayMountOptions(mode: SnapshotMode, lowers: readonly string[], rw?: { upper: string; work: string }): string {
  for (const p of [...lowers, ...(rw ? [rw.upper, rw.work] : [])]) {
    // The option parser splits on ',' and ':'; our store never makes such paths, so refuse rather than escape.
    if (/[,:\\]/.test(p))
      throw new SnapshotError('OCIBAKE_INVALID_ARGUMENT', `overlay layer path ${JSON.stringify(p)} contains , : or \\`, {
        hint: 'put the snapshot store under a path without those characters',
      });
  }
  const opts = [`lowerdir=${[...lowers].reverse().join(':')}`];
  if (rw) opts.push(`upperdir=${rw.upper}`, `workdir=${rw.work}`);
  if (mode === 'userns') opts.push('userxattr');
  return opts.join(',');
}
