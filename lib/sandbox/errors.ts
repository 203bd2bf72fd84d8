import { OcibakeError } from '../errors.js';

/** `SandboxError` is a RUN that cannot be isolated here: no namespaces, no overlay, no emulator. */
export class SandboxError extends OcibakeError {}
