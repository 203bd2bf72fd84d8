// Worker thread for parallel-gzip.ts: raw-deflates one block with the previous block's tail as
// its dictionary and ends it with a sync flush, so blocks concatenate into one deflate stream.
import { parentPort } from 'node:worker_threads';
import { constants, deflateRawSync } from 'node:zlib';

/** `DeflateJob` is one block sent to a worker. */
export interface DeflateJob {
  id: number;
  block: Uint8Array;
  dictionary: Uint8Array | undefined;
  level: number;
}

parentPort?.on('message', (job: DeflateJob) => {
  try {
    const out = deflateRawSync(job.block, {
      level: job.level,
      finishFlush: constants.Z_SYNC_FLUSH,
      ...(job.dictionary ? { dictionary: job.dictionary } : {}),
    });
    parentPort!.postMessage({ id: job.id, out });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message });
  }
});
