// Writes a one-platform image into an OCI layout from layer bytes a test made itself (hostile
// tars, truncated gzip streams, huge listings), with plain JSON and hashing only, so what is
// under test never wrote its own input. Use it as `--base NAME=oci-layout://DIR:TAG`.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One layer: its blob bytes as stored, gzip (default) or plain tar. */
export interface LayoutLayer {
  blob: Buffer;
  gzip?: boolean;
  /** The uncompressed tar's digest; computed from `blob` unless given (a truncated gzip cannot be gunzipped). */
  diffId?: string;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** `writeImageLayout` writes `layers` as one linux/amd64 image tagged `tag` in `dir`; returns the manifest digest. */
export function writeImageLayout(dir: string, tag: string, layers: LayoutLayer[], config: Record<string, unknown> = {}): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer): string => {
    const d = sha(b);
    writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
    return d;
  };
  const diffIds = layers.map((l) => l.diffId ?? sha(l.gzip === false ? l.blob : gunzipSync(l.blob)));
  const cfg = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [],
      ...config,
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(cfg), size: cfg.length },
      layers: layers.map((l) => ({
        mediaType: l.gzip === false ? 'application/vnd.oci.image.layer.v1.tar' : 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: put(l.blob),
        size: l.blob.length,
      })),
    }),
  );
  const digest = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          size: manifest.length,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return digest;
}
