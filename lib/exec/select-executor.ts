import type { Executor, ExecutorMode, ExecutorWarning } from './executor.js';
import { NamespaceExecutor, probeNamespace } from './namespace.js';
import { PlainExecutor } from './plain.js';
import { ExecError } from './errors.js';

let warned = false;

/**
 * `createExecutor` resolves `--executor`: `namespace` requires a working user+mount namespace
 * (else an error saying why), `plain` never tries, `auto` uses the namespace when the probe
 * passes and otherwise falls back to plain with a one-time warning that absolute stage paths
 * are not mapped.
 */
export function createExecutor(mode: ExecutorMode, warn: ExecutorWarning): Executor {
  if (mode === 'plain') return new PlainExecutor();
  const probe = probeNamespace();
  if (probe.tools) return new NamespaceExecutor(probe.tools);
  if (mode === 'namespace') {
    throw new ExecError('OCIBAKE_EXEC', `--executor=namespace is not available here: ${probe.why}`, {
      hint: 'install util-linux (unshare) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or use --executor=plain',
    });
  }
  if (!warned) {
    warned = true;
    warn(
      `user namespaces are unavailable (${probe.why}); RUN executes in the stage's working directory and absolute paths such as /src are NOT mapped into the stage (use --executor=plain to silence this)`,
    );
  }
  return new PlainExecutor();
}
