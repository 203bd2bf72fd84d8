import type { CopyEvent } from '../store/copy.js';
import type { ProgressSink } from '../progress.js';

/**
 * `copyEventsTo` turns copyGraph's events into the progress events renderers draw. `moved` names
 * what a copy is to the user: `uploaded` to a registry, `written` to a file or directory.
 */
export function copyEventsTo(target: string, sink: ProgressSink | undefined, moved: 'uploaded' | 'written'): ((e: CopyEvent) => void) | undefined {
  if (!sink) return undefined;
  return (e) => {
    const base = { type: 'blob' as const, target, digest: e.descriptor.digest, size: e.descriptor.size };
    if (e.type === 'progress') sink({ ...base, state: 'progress', bytes: e.bytes });
    else if (e.type === 'copied') sink({ ...base, state: moved });
    else sink({ ...base, state: e.type });
  };
}
