import { type Readable } from 'node:stream';
import type { Descriptor } from '../lib/oci/descriptor.js';
import { VerifyingStream } from '../lib/oci/verify.js';
import { OcibakeError } from '../lib/errors.js';
import { registryError } from './errors.js';
import type { HttpRequest, HttpResponse, Transport } from './transport/transport.js';

/** `BlobReadOptions` bound how often a broken blob download is resumed. */
export interface BlobReadOptions {
  signal?: AbortSignal | undefined;
  resumes?: number | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
}

/**
 * `openBlob` streams a blob, verifying size and digest (docs/registry-client.md, rule 10: a mismatch fails the
 * stream, so nothing downstream commits it). When the connection breaks mid-body it asks again
 * with `Range: bytes=N-` and, if the server ignores the range (200), skips the bytes it already
 * delivered. The first response is awaited here, so a 404 or 401 rejects this call.
 */
export async function openBlob(t: Transport, base: Omit<HttpRequest, 'method' | 'expect'>, desc: Descriptor, o: BlobReadOptions = {}): Promise<Readable> {
  const req = (offset: number): HttpRequest => ({
    ...base,
    method: 'GET',
    expect: offset > 0 ? [200, 206] : [200],
    followRedirects: true,
    signal: o.signal,
    headers: offset > 0 ? { ...base.headers, range: `bytes=${offset}-` } : base.headers,
  });
  // The error names where the bad bytes came from: a digest alone does not say which registry lied.
  const verify = new VerifyingStream(desc, `blob ${desc.digest} from ${base.registry}/${base.repository ?? ''}`);
  const first = await t.send(req(0));
  void pump(t, first, req, verify, o).catch((err: unknown) => verify.destroy(brokenBody(err, base, desc)));
  return verify;
}

async function pump(t: Transport, first: HttpResponse, req: (offset: number) => HttpRequest, out: VerifyingStream, o: BlobReadOptions): Promise<void> {
  let delivered = 0;
  let resumes = 0;
  let res: HttpResponse | undefined = first;
  for (;;) {
    if (!res) res = await t.send(req(delivered));
    let skip = res.status === 200 ? delivered : 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (out.destroyed) {
          res.body.destroy();
          return;
        }
        let c = chunk;
        if (skip > 0) {
          const n = Math.min(skip, c.length);
          skip -= n;
          c = c.subarray(n);
          if (c.length === 0) continue;
        }
        delivered += c.length;
        o.onProgress?.(c.length);
        if (!out.write(c)) await waitDrain(out);
      }
      out.end();
      return;
    } catch (err) {
      if (out.destroyed || o.signal?.aborted || ++resumes > (o.resumes ?? 5)) throw err;
      t.stats.retries++;
      res = undefined;
    }
  }
}

/**
 * A download that kept breaking (reset, or no byte within the idle timeout) is a registry error
 * naming the registry, not undici's bare "Body Timeout Error".
 */
function brokenBody(err: unknown, base: Omit<HttpRequest, 'method' | 'expect'>, desc: Descriptor): Error {
  if (err instanceof OcibakeError) return err;
  const e = err as { code?: string; message?: string };
  const stalled = e.code === 'UND_ERR_BODY_TIMEOUT';
  return registryError(
    `${base.what}: the download from ${base.registry}/${base.repository ?? ''} ${stalled ? 'stalled' : 'broke'} and did not recover (${e.code ?? e.message ?? String(err)})`,
    {
      registry: base.registry,
      repository: base.repository,
      method: 'GET',
      cause: err,
      temporary: true,
      hint: stalled ? `${base.registry} stopped sending ${desc.digest}; try again, or raise --timeout (seconds without a byte) for a slow link` : undefined,
    },
  );
}

function waitDrain(s: Readable & NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', closed);
      resolve();
    };
    const closed = () => {
      s.off('drain', done);
      reject(registryError('blob consumer went away', { registry: '', temporary: false }));
    };
    s.once('drain', done);
    s.once('close', closed);
  });
}
