import type { ProgressEvent } from '../../lib/index.js';
import { plainLine } from './plain.js';
import { formatBytes, shortDigest } from './format.js';
import { LiveRegion } from './live-region.js';

const BAR = 20;

function bar(done: number, total: number): string {
  const n = total > 0 ? Math.min(BAR, Math.round((done / total) * BAR)) : 0;
  return `${'█'.repeat(n)}${'░'.repeat(BAR - n)}`;
}

/**
 * `ttyRenderer` draws the live terminal view: one row per stage instance (steps done of total and
 * the current step) and one per blob transfer (bytes moved), redrawn below the permanent lines
 * (RUN output, layers, warnings), which are exactly the lines `--progress=plain` prints.
 */
export function ttyRenderer(out: NodeJS.WriteStream = process.stderr): { sink: (e: ProgressEvent) => void; stop: () => void } {
  const region = new LiveRegion(out);
  const blobs = new Map<string, { done: number; size: number }>();
  const sink = (e: ProgressEvent): void => {
    switch (e.type) {
      case 'step': {
        const name = e.platform && !e.key.includes('@') ? `${e.key} (${e.platform})` : e.key;
        region.set(`stage ${e.key}`, ` ${name} ${bar(e.index, e.total)} ${e.index}/${e.total} ${e.cached ? 'CACHED ' : ''}${e.text}`);
        return;
      }
      case 'stage': {
        if (e.state === 'start') return;
        region.remove(`stage ${e.key}`);
        const line = plainLine(e);
        if (line !== undefined) region.log(line);
        return;
      }
      case 'blob': {
        const id = `${e.target} ${e.digest}`;
        if (e.state === 'start' || e.state === 'progress') {
          const b = blobs.get(id) ?? { done: 0, size: e.size };
          b.done += e.bytes ?? 0;
          blobs.set(id, b);
          region.set(`blob ${id}`, ` ${shortDigest(e.digest)} ${bar(b.done, b.size)} ${formatBytes(b.done)}/${formatBytes(b.size)} → ${e.target}`);
          return;
        }
        blobs.delete(id);
        region.remove(`blob ${id}`);
        const line = plainLine(e);
        if (line !== undefined) region.log(line);
        return;
      }
      default: {
        const line = plainLine(e);
        if (line !== undefined) region.log(line);
      }
    }
  };
  return { sink, stop: () => region.stop() };
}
