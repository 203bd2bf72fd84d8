import { type Readable, Transform } from 'node:stream';
import { pipeTo } from '../lib/io/pipe-to.js';
import type { Descriptor } from '../lib/oci/descriptor.js';
import type { RegistryClient } from './client.js';
import { RegistryError, registryError } from './errors.js';
import { header, type HttpRequest } from './transport/transport.js';
import { DEFAULT_RETRY, backoffMs, sleep } from './transport/retry.js';

/** `UploadOptions` tune blob uploads. */
export interface UploadOptions {
  /** Upload in PATCH chunks from the start (for registries or proxies that cap request bodies). */
  chunked?: boolean | undefined;
  /** Chunk size for PATCH uploads; raised to the registry's OCI-Chunk-Min-Length. Default 16 MiB. */
  chunkSize?: number | undefined;
  /** Whole-upload attempts when a streamed upload breaks (the body is re-opened). Default 4. */
  attempts?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
}

// Statuses that say "this registry or a proxy in front of it will not take one big PUT".
const CHUNK_FALLBACK = new Set([400, 405, 411, 413, 501]);

/**
 * `uploadBlob` pushes one blob (docs/registry-client.md, rule 4): POST a session, then one PUT `?digest=` with the
 * whole body (monolithic); if that is refused as too large or unsupported, PATCH chunks honouring
 * OCI-Chunk-Min-Length and resuming from the server's Range after a 416, then the closing PUT.
 * A failed attempt first HEADs the blob (§5.5: the commit may have landed) before re-opening the body.
 */
export async function uploadBlob(
  client: RegistryClient,
  registry: string,
  repository: string,
  desc: Descriptor,
  open: () => Promise<Readable | Uint8Array>,
  o: UploadOptions = {},
): Promise<void> {
  const attempts = o.attempts ?? 4;
  let chunked = o.chunked ?? false;
  for (let attempt = 0; ; attempt++) {
    try {
      if (!chunked) {
        try {
          await monolithic(client, registry, repository, desc, open, o);
          return;
        } catch (err) {
          if (!(err instanceof RegistryError) || err.status === undefined || !CHUNK_FALLBACK.has(err.status) || err.method !== 'PUT') throw err;
          chunked = true;
        }
      }
      await chunkedUpload(client, registry, repository, desc, open, o);
      return;
    } catch (err) {
      const temporary = err instanceof RegistryError && err.temporary;
      if (!temporary || attempt + 1 >= attempts || o.signal?.aborted) throw err;
      if (await client.hasBlob(registry, repository, desc.digest, o.signal, 'push').catch(() => false)) return;
      await sleep(backoffMs(DEFAULT_RETRY, attempt), o.signal);
    }
  }
}

async function startSession(client: RegistryClient, registry: string, repository: string, desc: Descriptor, o: UploadOptions) {
  const res = await client.transport.send({
    ...base(client, registry, repository, desc),
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    expect: [202],
    signal: o.signal,
  });
  await res.body.dump();
  const location = header(res.headers, 'location');
  if (!location)
    throw registryError(`pushing blob ${desc.digest}: ${registry} opened an upload without a Location`, { registry, repository, method: 'POST', status: 202 });
  const min = Number(header(res.headers, 'oci-chunk-min-length') ?? 0);
  return { location: new URL(location, res.url), minChunk: Number.isFinite(min) ? min : 0 };
}

async function monolithic(
  client: RegistryClient,
  registry: string,
  repository: string,
  desc: Descriptor,
  open: () => Promise<Readable | Uint8Array>,
  o: UploadOptions,
): Promise<void> {
  const { location } = await startSession(client, registry, repository, desc, o);
  const body = await open();
  const stats = client.transport.stats;
  const counted =
    body instanceof Uint8Array
      ? body
      : pipeTo(
          body,
          counter((n) => ((stats.uploadedBytes += n), o.onProgress?.(n))),
        );
  if (body instanceof Uint8Array) {
    stats.uploadedBytes += body.byteLength;
    o.onProgress?.(body.byteLength);
  }
  try {
    const res = await client.transport.send({
      ...base(client, registry, repository, desc),
      method: 'PUT',
      path: withDigest(location, desc).href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: counted,
      expect: [201, 204],
      signal: o.signal,
    });
    await res.body.dump();
  } catch (err) {
    // A refused or broken PUT may leave the source stream half-read: release its file handle now.
    if (!(body instanceof Uint8Array)) body.destroy();
    throw err;
  }
}

async function chunkedUpload(
  client: RegistryClient,
  registry: string,
  repository: string,
  desc: Descriptor,
  open: () => Promise<Readable | Uint8Array>,
  o: UploadOptions,
): Promise<void> {
  const session = await startSession(client, registry, repository, desc, o);
  let location = session.location;
  const body = await open();
  const size = Math.max(o.chunkSize ?? 16 * 1024 * 1024, session.minChunk);
  let offset = 0;
  for await (const chunk of chunks(body, size)) {
    let sent = 0;
    for (let tries = 0; sent < chunk.length; tries++) {
      const part = chunk.subarray(sent);
      const start = offset + sent;
      const res = await client.transport.send({
        ...base(client, registry, repository, desc),
        method: 'PATCH',
        path: location.href,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(part.length),
          'content-range': `${start}-${start + part.length - 1}`,
        },
        body: part,
        expect: [201, 202, 204, 416],
        signal: o.signal,
      });
      await res.body.dump();
      if (res.status !== 416) {
        location = new URL(header(res.headers, 'location') ?? location.href, res.url);
        client.transport.stats.uploadedBytes += part.length;
        o.onProgress?.(part.length);
        sent = chunk.length;
        break;
      }
      // 416: the server holds a different amount than we think; ask it and continue from there.
      const have = await uploadedSoFar(client, registry, repository, desc, location, o);
      if (tries >= 3 || have < offset || have > offset + chunk.length) {
        throw registryError(`pushing blob ${desc.digest}: upload offset ${have} does not match ${start}`, {
          registry,
          repository,
          method: 'PATCH',
          status: 416,
          temporary: true,
        });
      }
      sent = have - offset;
    }
    offset += chunk.length;
  }
  const res = await client.transport.send({
    ...base(client, registry, repository, desc),
    method: 'PUT',
    path: withDigest(location, desc).href,
    headers: { 'content-type': 'application/octet-stream', 'content-length': '0' },
    body: new Uint8Array(0),
    expect: [201, 204],
    signal: o.signal,
  });
  await res.body.dump();
}

async function uploadedSoFar(client: RegistryClient, registry: string, repository: string, desc: Descriptor, location: URL, o: UploadOptions): Promise<number> {
  const res = await client.transport.send({ ...base(client, registry, repository, desc), method: 'GET', path: location.href, expect: [204], signal: o.signal });
  await res.body.dump();
  const m = /^(?:bytes=)?0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

/** `withDigest` appends `digest=` with `&` when the Location already has a query (§5.4). */
export function withDigest(location: URL, desc: Descriptor): URL {
  const u = new URL(location.href);
  u.searchParams.append('digest', desc.digest);
  return u;
}

/** `chunks` regroups a body into buffers of exactly `size` bytes (the last may be shorter). */
export async function* chunks(body: Readable | Uint8Array, size: number): AsyncGenerator<Buffer> {
  if (body instanceof Uint8Array) {
    for (let i = 0; i < body.byteLength; i += size) yield Buffer.from(body.subarray(i, i + size));
    return;
  }
  let parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    let rest = c;
    while (n + rest.length >= size) {
      const take = size - n;
      parts.push(rest.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      n = 0;
      rest = rest.subarray(take);
    }
    if (rest.length) {
      parts.push(rest);
      n += rest.length;
    }
  }
  if (n > 0) yield Buffer.concat(parts);
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

function base(
  client: RegistryClient,
  registry: string,
  repository: string,
  desc: Descriptor,
): Pick<HttpRequest, 'registry' | 'repository' | 'scopes' | 'what'> {
  return { registry, repository, scopes: client.scopes(repository, 'push'), what: `pushing blob ${desc.digest} to ${registry}/${repository}` };
}
