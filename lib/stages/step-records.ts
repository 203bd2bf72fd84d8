import { createHash } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';

/** `StepLayer` is a step's layer blob: its descriptor (in the cache) and its diffID. */
export interface StepLayer {
  descriptor: Descriptor;
  diffId: Digest;
}

/** `StepRecord` is what a step produced, kept so an unchanged step never runs again. */
export interface StepRecord {
  /**
   * The layer; `null` when the step changed nothing (no layer, an empty history entry);
   * undefined when no layer was written because the stage is not part of an image (its snapshot holds the result).
   */
  layer?: StepLayer | null | undefined;
  /** The snapshot holding the step's result, when it has one beyond its layer (a RUN's upper dir). */
  snapshot?: string | undefined;
  /** How long it ran, and whether it was emulated (for the summary of a cached build). */
  durationMs?: number | undefined;
  emulated?: boolean | undefined;
}

/** `stepKey` combines a parent key with what a step does into the step's cache key (64 hex). */
export function stepKey(parent: string, kind: string, payload: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(['ocibake-step-v1', parent, kind, payload]))
    .digest('hex');
}

/**
 * `StepRecords` is the persistent map from step keys to results (`<cache>/steps/<key>.json`),
 * written atomically. A record is only trusted by callers that check what it points to is
 * still there (the blob in the cache, the snapshot in the store).
 */
export class StepRecords {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async get(key: string): Promise<StepRecord | undefined> {
    try {
      const rec = JSON.parse(await readFile(join(this.#dir, `${key}.json`), 'utf8')) as StepRecord;
      return rec && typeof rec === 'object' ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  /** `touch` marks a record used now: `cache prune --filter until=` keeps what builds still use. */
  async touch(key: string): Promise<void> {
    const now = new Date();
    await utimes(join(this.#dir, `${key}.json`), now, now).catch(() => {});
  }

  async put(key: string, rec: StepRecord): Promise<void> {
    await writeFileAtomic(join(this.#dir, `${key}.json`), JSON.stringify(rec));
  }
}
