import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * `removeScratch` deletes a scratch tree that an overlay mount used. overlayfs leaves its
 * `work/work` dir mode 000, and with `volatile` it is not even empty (`incompat/volatile`), so
 * a user outside the namespace that mounted it cannot list it to delete it: give the owner
 * rwx back, then retry.
 */
export function removeScratch(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    spawnSync('chmod', ['-R', 'u+rwx', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
