import { isUnavailable, probeSandbox, type SandboxCaps } from '../sandbox/caps.js';
import { SandboxError } from '../sandbox/errors.js';

/** `ExecutorChoice` is `--executor`: every stage in its own image (default where possible), or the host's toolchains. */
export type ExecutorChoice = 'auto' | 'image' | 'host';

/** How this build runs RUN: in images (with the sandbox's capabilities), or on the host (and why, when `auto` fell back). */
export type PickedExecutor = { kind: 'image'; caps: SandboxCaps } | { kind: 'host'; why?: string | undefined };

/**
 * `pickExecutor` resolves `--executor`: `image` needs namespaces and a copy-on-write filesystem
 * (an error says what is missing), `host` never probes, `auto` takes the image executor wherever
 * it works and otherwise falls back to the host with the reason, which the build prints.
 */
export function pickExecutor(choice: ExecutorChoice, snapshotsDir: string): PickedExecutor {
  if (choice === 'host') return { kind: 'host' };
  const caps = probeSandbox(snapshotsDir);
  if (!isUnavailable(caps)) return { kind: 'image', caps };
  if (choice === 'image') throw new SandboxError('OCIBAKE_EXEC', `--executor=image cannot run here: ${caps.why}`, { hint: caps.hint });
  return { kind: 'host', why: `${caps.why} (${caps.hint})` };
}
