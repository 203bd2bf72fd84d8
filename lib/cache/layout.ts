import { readdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ownerState, ownerTagWithNamespace, parseOwnerTag } from '../io/process-owner.js';

const BUILD_TMP = 'tmp-build-';

/** `defaultCacheDir` is `$OCIBAKE_CACHE`, else `$XDG_CACHE_HOME/ocibake`, else `~/.cache/ocibake`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['OCIBAKE_CACHE']) return resolve(env['OCIBAKE_CACHE']);
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'ocibake');
}

/**
 * `CacheLayout` names every directory of ocibake's cache, in one place:
 *
 *   blobs/sha256/   content-addressed blobs (layers, configs, manifests), verified
 *   tmp/            temp files of blob writes (same filesystem, renamed into blobs/)
 *   bases/          name → digest records of resolved bases, what --offline resolves from
 *   layers/         COPY content digest → layer records (a COPY never compresses twice)
 *   fs-listings/    directory listings of base layers (is /usr/local/bin a directory?)
 *   stages/         outputs of build stages run on the host (--executor=host)
 *   steps/          step cache key → result records (a RUN, COPY or WORKDIR never runs twice)
 *   snapshots/      layers unpacked for RUN (root/, or map-<hash>/userns/ per user-namespace id mapping), and RUN results
 *   mounts/         RUN --mount=type=cache directories
 *   tools/          Go and zig build caches (or $OCIBAKE_TOOL_CACHE)
 *   tmp-build-*     one scratch directory per running build (named for its process), removed at
 *                   its end, or by the next build once its process is gone (killed)
 */
export class CacheLayout {
  readonly root: string;

  constructor(root: string = defaultCacheDir()) {
    this.root = resolve(root);
  }

  get blobTmp(): string {
    return join(this.root, 'tmp');
  }

  get baseRecords(): string {
    return join(this.root, 'bases');
  }

  get layerRecords(): string {
    return join(this.root, 'layers');
  }

  get listings(): string {
    return join(this.root, 'fs-listings');
  }

  get stages(): string {
    return join(this.root, 'stages');
  }

  get stepRecords(): string {
    return join(this.root, 'steps');
  }

  get snapshots(): string {
    return join(this.root, 'snapshots');
  }

  get cacheMounts(): string {
    return join(this.root, 'mounts');
  }

  /** Go/zig caches: `$OCIBAKE_TOOL_CACHE` when set (shareable between projects), else `tools/`. */
  tools(env: NodeJS.ProcessEnv = process.env): string {
    return env['OCIBAKE_TOOL_CACHE'] ? resolve(env['OCIBAKE_TOOL_CACHE']) : join(this.root, 'tools');
  }

  /**
   * Prefix of this process's build scratch directories (`mkdtemp` adds a random suffix). It names
   * the owner, so `sweepBuildTmp` can remove those of killed builds and only those, and `cache
   * prune` can tell a running build's directory from one a killed build left.
   */
  get buildTmpPrefix(): string {
    return join(this.root, `${BUILD_TMP}${ownerTagWithNamespace()}-`);
  }

  /** `sweepBuildTmp` removes the scratch directories of builds that no longer run (killed); returns how many. */
  async sweepBuildTmp(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (!name.startsWith(BUILD_TMP)) continue;
      const owner = parseOwnerTag(name.slice(BUILD_TMP.length));
      // Directories of older versions carry no owner: they are left alone.
      if (!owner || ownerState(owner) !== 'dead') continue;
      await rm(join(this.root, name), { recursive: true, force: true }).then(
        () => removed++,
        () => {},
      );
    }
    return removed;
  }

  /** `buildDirs` lists the builds' scratch directories, and whether the build that made each may still run. */
  buildDirs(): { path: string; pid: number; running: boolean }[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      if (!n.startsWith(BUILD_TMP)) return [];
      const owner = parseOwnerTag(n.slice(BUILD_TMP.length));
      return [{ path: join(this.root, n), pid: owner?.pid ?? 0, running: owner !== undefined && ownerState(owner) !== 'dead' }];
    });
  }
}
