/**
 * `OcibakeError` is the base of every error ocibake throws on purpose. It carries a stable
 * machine-readable `code` (like undici's `UND_ERR_*`), a one-line message and an optional
 * `hint` that tells the user what to do next. The CLI prints `error: <message>` and
 * `hint: <hint>` and exits non-zero; it never prints a stack trace for an `OcibakeError`.
 *
 * Subsystems define their own subclasses beside their code (DockerfileError, RegistryError, ...)
 * and add codes to `ErrorCode` here so codes stay unique across the project.
 */
export type ErrorCode =
  | 'OCIBAKE_INVALID_ARGUMENT'
  | 'OCIBAKE_INVALID_DIGEST'
  | 'OCIBAKE_DIGEST_MISMATCH'
  | 'OCIBAKE_SIZE_MISMATCH'
  | 'OCIBAKE_INVALID_PLATFORM'
  | 'OCIBAKE_PLATFORM_NOT_FOUND'
  | 'OCIBAKE_INVALID_MANIFEST'
  | 'OCIBAKE_UNSUPPORTED_MEDIA_TYPE'
  | 'OCIBAKE_BLOB_NOT_FOUND'
  | 'OCIBAKE_NOT_FOUND'
  | 'OCIBAKE_UNSAFE_ARCHIVE'
  | 'OCIBAKE_LAYER_WRITE'
  | 'OCIBAKE_STORE'
  | 'OCIBAKE_OUTPUT'
  | 'OCIBAKE_DOCKERFILE_SYNTAX'
  | 'OCIBAKE_DOCKERFILE_SEMANTIC'
  | 'OCIBAKE_DOCKERIGNORE'
  | 'OCIBAKE_CONTEXT'
  | 'OCIBAKE_PLAN'
  | 'OCIBAKE_EXEC'
  | 'OCIBAKE_RUN_FAILED'
  | 'OCIBAKE_RUN_IN_TARGET_STAGE'
  | 'OCIBAKE_TOOL_MISSING'
  | 'OCIBAKE_SECRET'
  | 'OCIBAKE_INVALID_REFERENCE'
  | 'OCIBAKE_REGISTRY'
  | 'OCIBAKE_REGISTRY_UNREACHABLE'
  | 'OCIBAKE_UNAUTHORIZED'
  | 'OCIBAKE_DENIED'
  | 'OCIBAKE_CREDENTIALS'
  | 'OCIBAKE_CACHE_INVALID'
  | 'OCIBAKE_CACHE_EXPORT'
  | 'OCIBAKE_CACHE_BUSY'
  | 'OCIBAKE_ABORTED'
  | 'OCIBAKE_INTERNAL';

/** Options shared by every `OcibakeError` constructor; subclasses add their own fields to it. */
export interface OcibakeErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * `OcibakeError` is an expected failure with a stable code and an actionable hint. Every subclass
 * takes the same constructor arguments, `(code, message, options)`, and keeps its extra fields
 * in `options`, so `withContext` can make a copy of the same class.
 */
export class OcibakeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly #options: OcibakeErrorOptions;

  constructor(code: ErrorCode, message: string, options: OcibakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.#options = options;
  }

  /**
   * `withContext` returns this error with `context: ` in front of its message, as the same class
   * with the same code, hint and fields (so `instanceof RegistryError` still holds after a
   * boundary), and this error as its cause.
   */
  withContext(context: string): this {
    const Ctor = this.constructor as new (code: ErrorCode, message: string, options: OcibakeErrorOptions) => this;
    return new Ctor(this.code, `${context}: ${this.message}`, { ...this.#options, cause: this });
  }
}

/** `isOcibakeError` tells an expected error (print it plainly) from a bug (print the stack). */
export function isOcibakeError(err: unknown): err is OcibakeError {
  return err instanceof OcibakeError;
}

/**
 * `wrapError` adds context to an error at a boundary, in ggcr's gerund style:
 * `wrapError(err, 'pushing blob sha256:… to 127.0.0.1:5000/app')`. Typed errors keep their class,
 * code and hint (`withContext`); anything else becomes OCIBAKE_INTERNAL with the original as `cause`.
 */
export function wrapError(err: unknown, context: string): OcibakeError {
  if (err instanceof OcibakeError) return err.withContext(context);
  const message = err instanceof Error ? err.message : String(err);
  return new OcibakeError('OCIBAKE_INTERNAL', `${context}: ${message}`, { cause: err });
}

/** `findError` walks an error's cause chain and returns the first error of a class (`findError(err, RegistryError)`). */
export function findError<T extends Error>(err: unknown, cls: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 32; e = e.cause, depth++) if (e instanceof cls) return e;
  return undefined;
}
