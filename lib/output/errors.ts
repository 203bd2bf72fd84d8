import { OcibakeError } from '../errors.js';

/** `OutputError` is a failure writing an output (layout, archive, docker tarball). */
export class OutputError extends OcibakeError {}
