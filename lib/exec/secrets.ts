import { readFileSync } from 'node:fs';
import { SecretError } from './errors.js';

/** `SecretSpec` is one `--secret id=x,src=FILE` or `--secret id=x,env=VAR`. */
export interface SecretSpec {
  id: string;
  src?: string;
  env?: string;
}

/** `SecretSource` is where one `--secret id=…` comes from: a file or an environment variable. */
export interface SecretSource {
  src?: string | undefined;
  env?: string | undefined;
}

/**
 * `SecretStore` reads secret values on first use and keeps them in memory only. Values are
 * never written to the stage, the cache or the metadata; `redact` masks them in log lines.
 */
export class SecretStore {
  readonly #sources: Map<string, SecretSource>;
  readonly #values = new Map<string, Buffer>();
  readonly #env: NodeJS.ProcessEnv;

  constructor(sources: Map<string, SecretSource> = new Map(), env: NodeJS.ProcessEnv = process.env) {
    this.#sources = sources;
    this.#env = env;
  }

  /** `has` tells whether a secret id was given on the command line. */
  has(id: string): boolean {
    return this.#sources.has(id);
  }

  /** `get` returns a secret's bytes; a missing file or variable is a `SecretError` naming only the id. */
  get(id: string): Buffer {
    const cached = this.#values.get(id);
    if (cached) return cached;
    const s = this.#sources.get(id);
    if (!s)
      throw new SecretError('OCIBAKE_SECRET', `secret "${id}" is required by a RUN --mount=type=secret but was not given`, {
        hint: `pass --secret id=${id},src=FILE or --secret id=${id},env=VAR`,
      });
    let value: Buffer;
    if (s.src !== undefined) {
      try {
        value = readFileSync(s.src);
      } catch (err) {
        throw new SecretError('OCIBAKE_SECRET', `secret "${id}": cannot read ${s.src}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
          hint: 'check the path given in --secret src=',
        });
      }
    } else {
      const v = this.#env[s.env ?? id];
      if (v === undefined)
        throw new SecretError('OCIBAKE_SECRET', `secret "${id}": environment variable ${s.env ?? id} is not set`, {
          hint: `export ${s.env ?? id} before the build, or use --secret id=${id},src=FILE`,
        });
      value = Buffer.from(v);
    }
    this.#values.set(id, value);
    return value;
  }

  /** `redact` replaces every loaded secret value in a text with `****`. */
  redact(text: string): string {
    let out = text;
    for (const v of this.#values.values()) {
      const s = v.toString('utf8').trim();
      if (s.length >= 3) out = out.split(s).join('****');
    }
    return out;
  }
}
