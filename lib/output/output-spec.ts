import type { Platform } from '../oci/platform.js';

/** `OutputSpec` is one `--output` (buildx syntax `type=…,dest=…`), or `--push`. */
export type OutputSpec =
  { type: 'registry' } | { type: 'oci'; dest: string } | { type: 'oci-archive'; dest: string } | { type: 'docker'; dest: string; platform?: Platform };
