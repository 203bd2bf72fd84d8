import { Worker } from 'node:worker_threads';
import { LayerWriteError } from './errors.js';
import type { DeflateJob } from './deflate-worker.js';

type Pending = { resolve: (b: Buffer) => void; reject: (e: Error) => void };

/**
 * `DeflatePool` runs deflate jobs on a fixed set of worker threads. Jobs go to the least busy
 * worker; results come back by id, so the caller decides the output order.
 */
export class DeflatePool {
  readonly #workers: { worker: Worker; busy: number }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./deflate-worker.js', import.meta.url));
      const slot = { worker, busy: 0 };
      worker.on('message', (msg: { id: number; out?: Uint8Array; error?: string }) => {
        slot.busy--;
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (!p) return;
        if (msg.error !== undefined || !msg.out) p.reject(new LayerWriteError(`compressing a layer block: ${msg.error ?? 'no output'}`));
        else p.resolve(Buffer.from(msg.out.buffer, msg.out.byteOffset, msg.out.byteLength));
      });
      worker.on('error', (err) => this.#fail(err));
      this.#workers.push(slot);
    }
  }

  /** `deflate` compresses one block; `block`'s memory is transferred to the worker. */
  deflate(block: Buffer, dictionary: Buffer | undefined, level: number): Promise<Buffer> {
    if (this.#failed) return Promise.reject(this.#failed);
    const slot = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      slot.busy++;
      const job: DeflateJob = { id, block, dictionary, level };
      const transfer = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength ? [block.buffer as ArrayBuffer] : [];
      slot.worker.postMessage(job, transfer);
    });
  }

  /** `close` stops the workers; pending jobs fail. */
  async close(): Promise<void> {
    this.#fail(new LayerWriteError('compression pool closed'));
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  #fail(err: Error): void {
    this.#failed ??= err;
    for (const p of this.#pending.values()) p.reject(this.#failed);
    this.#pending.clear();
  }
}
