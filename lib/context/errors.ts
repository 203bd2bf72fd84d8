import { OcibakeError } from '../errors.js';

/** `ContextError` is a COPY/ADD source problem: missing file, path escaping the context, bad --chown. */
export class ContextError extends OcibakeError {}
