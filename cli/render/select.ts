import type { ProgressEvent } from '../../lib/index.js';
import { jsonRenderer } from './json.js';
import { plainRenderer } from './plain.js';
import { ttyRenderer } from './tty.js';

/** `ProgressMode` is `--progress`: auto picks tty on a terminal and plain elsewhere (CI). */
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

/** `makeRenderer` returns the event sink for a mode and a stop() that finishes the live view. */
export function makeRenderer(mode: ProgressMode): { sink: (e: ProgressEvent) => void; stop: () => void } {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'tty' : 'plain') : mode;
  switch (resolved) {
    case 'tty':
      return ttyRenderer();
    case 'json':
      return { sink: jsonRenderer(), stop: () => {} };
    case 'quiet':
      return { sink: () => {}, stop: () => {} };
    default:
      return { sink: plainRenderer(), stop: () => {} };
  }
}
