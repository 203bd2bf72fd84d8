import { homedir } from 'node:os';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive, processTag } from '../io/process-identity.js';

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
 *   tmp-build-*     one scratch directory per running build, removed at its end
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
   * Prefix of a build's scratch directory (`mkdtemp` adds a random suffix). It names the process,
   * so `cache prune` can tell a running build's directory from one a killed build left.
   */
  get buildTmpPrefix(): string {
    return join(this.root, `tmp-build-${processTag()}-`);
  }

  /** `buildDirs` lists the builds' scratch directories, and whether the build that made each still runs. */
  buildDirs(): { path: string; pid: number; running: boolean }[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const m = /^tmp-build-(\d+)-(\d+)-/.exec(n);
      if (!m) return n.startsWith('tmp-build-') ? [{ path: join(this.root, n), pid: 0, running: false }] : [];
      return [{ path: join(this.root, n), pid: Number(m[1]), running: isProcessAlive(Number(m[1]), m[2]!) }];
    });
  }
}
