/**
 * `MediaType` constants for the OCI image-spec and their Docker v2 (schema 2) counterparts.
 * We read both families and write OCI by default; an index never mixes the two (docs/registry-client.md, rule 8).
 */
export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** `MediaType` is any media type string; the constants above are the ones we understand. */
export type MediaType = string;

/** `MediaFormat` selects which family ocibake writes. */
export type MediaFormat = 'oci' | 'docker';

/** The `Accept` header every manifest request sends: distribution 2.8 answers 404 without the OCI types. */
export const MANIFEST_ACCEPT: readonly string[] = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest];

export function isIndexMediaType(mt: string): boolean {
  return mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
}

export function isManifestMediaType(mt: string): boolean {
  return mt === MediaType.OciManifest || mt === MediaType.DockerManifest;
}

export function isConfigMediaType(mt: string): boolean {
  return mt === MediaType.OciConfig || mt === MediaType.DockerConfig;
}

export function isLayerMediaType(mt: string): boolean {
  return (
    mt === MediaType.OciLayer ||
    mt === MediaType.OciLayerGzip ||
    mt === MediaType.OciLayerZstd ||
    mt === MediaType.DockerLayerGzip ||
    mt === MediaType.DockerForeignLayerGzip ||
    mt === 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
  );
}

/** `layerCompression` tells how a layer blob is compressed, from its media type. */
export function layerCompression(mt: string): 'gzip' | 'zstd' | 'none' {
  if (mt.endsWith('+zstd')) return 'zstd';
  if (mt.endsWith('gzip')) return 'gzip';
  return 'none';
}

/** The media types to write for a format: the family must be consistent across a whole index. */
export interface MediaTypeSet {
  index: string;
  manifest: string;
  config: string;
  layerGzip: string;
  layer: string;
}

export function mediaTypesFor(format: MediaFormat): MediaTypeSet {
  return format === 'docker'
    ? {
        index: MediaType.DockerManifestList,
        manifest: MediaType.DockerManifest,
        config: MediaType.DockerConfig,
        layerGzip: MediaType.DockerLayerGzip,
        // Docker schema 2 has no uncompressed layer type that every registry accepts; gzip is forced there.
        layer: MediaType.DockerLayerGzip,
      }
    : {
        index: MediaType.OciIndex,
        manifest: MediaType.OciManifest,
        config: MediaType.OciConfig,
        layerGzip: MediaType.OciLayerGzip,
        layer: MediaType.OciLayer,
      };
}

/** `convertMediaType` maps a media type to the other family's counterpart, leaving unknown types as they are. */
export function convertMediaType(mt: string, to: MediaFormat): string {
  const pairs: [string, string][] = [
    [MediaType.OciIndex, MediaType.DockerManifestList],
    [MediaType.OciManifest, MediaType.DockerManifest],
    [MediaType.OciConfig, MediaType.DockerConfig],
    [MediaType.OciLayerGzip, MediaType.DockerLayerGzip],
  ];
  for (const [oci, docker] of pairs) {
    if (to === 'docker' && mt === oci) return docker;
    if (to === 'oci' && mt === docker) return oci;
  }
  return mt;
}
