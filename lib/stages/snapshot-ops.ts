import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LayerCompression } from '../layer/decompress.js';
import { tarStream } from '../layer/tar-writer.js';
import type { SandboxCaps } from '../sandbox/caps.js';
import { mappingKey, unshareMapArgs } from '../sandbox/id-map.js';
import { dyingWithParent, type HostTools } from '../sandbox/tools.js';
import { ChainView } from '../snapshot/chain-view.js';
import { diffUpperDir } from '../snapshot/diff.js';
import type { SnapshotMeta } from '../snapshot/meta.js';
import type { SnapshotMode } from '../snapshot/mode.js';
import { SnapshotStore, type Snapshot } from '../snapshot/store.js';
import { unpackLayerToDiffDir } from '../snapshot/unpack.js';
import { ExecError } from '../exec/errors.js';
import type { WorkerOp } from './ns-worker.js';

/** What diffing a RUN's upper dir gives: the snapshot metadata, and the layer's tar unless nothing changed. */
export interface UpperResult {
  meta: SnapshotMeta;
  /** Whether the RUN changed anything the layer would hold. */
  changed: boolean;
  /** The layer as an uncompressed tar stream; undefined when the RUN changed nothing, or no tar was asked for. */
  tar?: AsyncIterable<Uint8Array> | undefined;
  skipped: string[];
  /** Resolves once the producer has finished (errors included). */
  done: Promise<void>;
}

/** Image paths the diff treats specially: left out (`exclude`), or left out when unchanged (`mountParents`). */
export interface DiffPaths {
  exclude?: readonly string[] | undefined;
  mountParents?: readonly string[] | undefined;
  /** Whether to produce the layer's tar (default true). A build stage's RUN is kept as a snapshot only. */
  tar?: boolean | undefined;
}

/**
 * `SnapshotOps` does the snapshot work that needs the build's ids: in-process as root, inside the
 * user namespace (through `ns-worker.ts`) when rootless, where layer owners map to the subordinate
 * ids and only those ids may read or remove what a RUN wrote.
 */
export interface SnapshotOps {
  readonly store: SnapshotStore;
  readonly mode: SnapshotMode;
  unpack(id: string, blob: Readable, compression: LayerCompression): Promise<Snapshot>;
  /** `diff` turns a RUN's upper dir into its layer; `paths` are `DiffOptions.exclude` and `.mountParents`. */
  diff(upper: string, lowers: readonly string[], sourceDateEpoch: number, paths?: DiffPaths): Promise<UpperResult>;
  /** `remove` deletes trees (scratch dirs, mount stubs) with the ids that own what is in them. */
  remove(...paths: string[]): Promise<void>;
  /** `sweep` removes what killed builds left in the store's temp dirs, with the ids that own it; returns how many. */
  sweep(): Promise<number>;
}

/**
 * `snapshotOps` picks the implementation for the sandbox's isolation mode. Rootless snapshots
 * live in a store per id mapping (`<storeRoot>/map-<hash>/userns/`): their files are owned by the
 * host ids the mapping gave them, so after a change of /etc/subuid (or a user gaining a range) the
 * same snapshot would show its owners as `nobody` (65534), or as root where one uid kept them.
 */
export function snapshotOps(caps: SandboxCaps, storeRoot: string): SnapshotOps {
  if (caps.mode === 'root') return new InProcessOps(new SnapshotStore(storeRoot, 'root'));
  const map = createHash('sha256').update(mappingKey(caps.mapping)).digest('hex').slice(0, 16);
  return new NamespaceOps(new SnapshotStore(join(storeRoot, `map-${map}`), 'userns'), caps);
}

class InProcessOps implements SnapshotOps {
  readonly mode = 'root' as const;
  constructor(readonly store: SnapshotStore) {}

  unpack(id: string, blob: Readable, compression: LayerCompression): Promise<Snapshot> {
    return this.store.create(id, (fs) => unpackLayerToDiffDir(blob, fs, { mode: 'root', compression }));
  }

  async diff(upper: string, lowers: readonly string[], sourceDateEpoch: number, paths: DiffPaths = {}): Promise<UpperResult> {
    const d = await diffUpperDir(upper, {
      mode: 'root',
      lower: await ChainView.open(lowers),
      sourceDateEpoch,
      exclude: new Set(paths.exclude),
      mountParents: new Set(paths.mountParents),
    });
    const changed = d.entries.length > 0;
    return {
      meta: d.meta,
      skipped: d.skipped,
      changed,
      tar: changed && paths.tar !== false ? tarStream(d.entries, { sourceDateEpoch }) : undefined,
      done: Promise.resolve(),
    };
  }

  async remove(...paths: string[]): Promise<void> {
    for (const p of paths) await rm(p, { recursive: true, force: true });
  }

  sweep(): Promise<number> {
    return this.store.sweep();
  }
}

const WORKER = fileURLToPath(new URL('./ns-worker.js', import.meta.url));

class NamespaceOps implements SnapshotOps {
  readonly mode = 'userns' as const;
  readonly #ns: string[];

  constructor(
    readonly store: SnapshotStore,
    caps: SandboxCaps,
  ) {
    this.#ns = caps.mode === 'userns-range' && caps.mapping ? unshareMapArgs(caps.mapping) : ['--user', '--map-root-user'];
    this.#tools = caps.tools;
  }

  readonly #tools: HostTools;

  async unpack(id: string, blob: Readable, compression: LayerCompression): Promise<Snapshot> {
    const existing = await this.store.get(id);
    if (existing) return existing;
    const w = this.#start({ op: 'unpack', storeRoot: this.store.root, id, compression }, blob);
    await w.result;
    const snap = await this.store.get(id);
    if (!snap) throw new ExecError('OCIBAKE_INTERNAL', `the namespace worker reported snapshot ${id} but it is not in ${this.store.root}`);
    return snap;
  }

  async diff(upper: string, lowers: readonly string[], sourceDateEpoch: number, paths: DiffPaths = {}): Promise<UpperResult> {
    const w = this.#start({
      op: 'diff',
      upper,
      lowers: [...lowers],
      sourceDateEpoch,
      exclude: [...(paths.exclude ?? [])],
      mountParents: [...(paths.mountParents ?? [])],
      tar: paths.tar !== false,
    });
    const r = (await w.result) as { meta: SnapshotMeta; empty: boolean; skipped: string[] };
    const wantTar = !r.empty && paths.tar !== false;
    return { meta: r.meta, skipped: r.skipped, changed: !r.empty, tar: wantTar ? (w.stdout as AsyncIterable<Uint8Array>) : undefined, done: w.exit };
  }

  async remove(...paths: string[]): Promise<void> {
    if (paths.length > 0) await this.#start({ op: 'remove', paths }).result;
  }

  async sweep(): Promise<number> {
    // Files a killed RUN left belong to subordinate ids: only the namespace can delete them.
    const r = (await this.#start({ op: 'sweep', storeRoot: this.store.root }).result) as { removed: number };
    return r.removed;
  }

  #start(op: WorkerOp, stdin?: Readable): { result: Promise<unknown>; stdout: Readable; exit: Promise<void> } {
    const [cmd, args] = dyingWithParent(this.#tools, this.#tools.unshare, [...this.#ns, '--', process.execPath, WORKER, JSON.stringify(op)]);
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const errors: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => errors.length < 64 && errors.push(c));
    if (stdin) {
      stdin.on('error', (e) => child.stdin.destroy(e));
      child.stdin.on('error', () => {});
      stdin.pipe(child.stdin);
    } else child.stdin.end();
    const fail = (): ExecError =>
      new ExecError('OCIBAKE_EXEC', `snapshot ${op.op} in the user namespace failed: ${Buffer.concat(errors).toString('utf8').trim().split('\n')[0] ?? ''}`, {
        hint: 'run with --debug for details; as a workaround run as root or use --executor=host',
      });
    const exit = new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(fail())));
    });
    const channel = child.stdio[3] as Readable;
    const result = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of channel) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) {
        await exit;
        throw fail();
      }
      return JSON.parse(text) as unknown;
    })();
    result.catch(() => {});
    exit.catch(() => {});
    // Read stdout from the start: when a child exits, Node resumes (and so discards) any stdio
    // stream nobody listens to yet, and a small diff's tar is often written and the worker gone
    // before the caller, which waits for the result on fd 3 first, begins to read. That race
    // wrote empty layers (measured: 1 build in 3 with two platforms' RUNs at once).
    const stdout = child.stdout.pipe(new PassThrough());
    return { result: Promise.all([result, op.op === 'diff' ? Promise.resolve() : exit]).then(([r]) => r), stdout, exit };
  }
}
