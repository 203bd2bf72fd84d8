// lib/image's public surface (re-exported from lib/index.ts).
export { type Layer, type Image, type ImageIndex, type Artifact } from './types.js';
export { buildImage, type BuildImageOptions, type AppendedLayer, type ConfigChanges } from './build-image.js';
export { buildIndex, type BuildIndexOptions } from './build-index.js';
export { imageFromBytes, loadArtifact, loadImage, putArtifact } from './load.js';
export { validateArtifact, assertValidArtifact, type ValidateOptions } from './validate.js';
export { ImageError } from './errors.js';
