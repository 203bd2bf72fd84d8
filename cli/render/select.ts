import type { ProgressEvent } from '../../lib/index.js';
import { jsonRenderer } from './json.js';
import { plainRenderer } from './plain.js';
import { ttyRenderer } from './tty.js';

/** The `--progress` modes: auto picks tty on a terminal and plain elsewhere (CI). */
export const PROGRESS_MODES = ['auto', 'tty', 'plain', 'json', 'quiet'] as const;

/** `ProgressMode` is one `--progress` value. */
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** `progressOption` declares `--progress` the same way for every verb. */
export const progressOption = {
  choices: PROGRESS_MODES,
  default: 'auto' as ProgressMode,
  describe: 'progress output: live view on a terminal, one line per event, JSON lines, or nothing',
} as const;

/**
 * `makeRenderer` returns the event sink for a mode and a stop() that finishes the live view.
 * Debug events reach it only with --debug.
 */
export function makeRenderer(mode: ProgressMode, o: { debug?: boolean } = {}): { sink: (e: ProgressEvent) => void; stop: () => void } {
  const r = rendererFor(mode);
  if (o.debug) return r;
  return { sink: (e) => e.type !== 'debug' && r.sink(e), stop: r.stop };
}

function rendererFor(mode: ProgressMode): { sink: (e: ProgressEvent) => void; stop: () => void } {
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
