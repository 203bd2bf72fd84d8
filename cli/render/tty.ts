import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../../lib/index.js';
import { plainLine } from './plain.js';
import { formatBytes, shortDigest } from './format.js';

/**
 * `ttyRenderer` draws a live view on a terminal: one bar per stage instance (steps done of
 * total, with the current step), one per blob upload (bytes sent), and log lines scrolling
 * above the bars. cli-progress draws nothing when stderr is not a TTY, so this is only chosen
 * for `--progress=tty` or `auto` on a terminal.
 */
export function ttyRenderer(out: NodeJS.WriteStream = process.stderr): { sink: (e: ProgressEvent) => void; stop: () => void } {
  const multi = new cliProgress.MultiBar(
    {
      stream: out,
      format: ' {name} {bar} {value}/{total} {text}',
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 10,
      formatValue: (v, options, type) => (typeof options.format === 'string' && options.format.includes('bytes') && type !== 'percentage' ? formatBytes(v) : String(v)),
    },
    cliProgress.Presets.shades_grey,
  );
  const stages = new Map<string, cliProgress.SingleBar>();
  const blobs = new Map<string, cliProgress.SingleBar>();

  const sink = (e: ProgressEvent): void => {
    switch (e.type) {
      case 'step': {
        const name = e.platform && !e.key.includes('@') ? `${e.key} (${e.platform})` : e.key;
        let bar = stages.get(e.key);
        if (!bar) {
          bar = multi.create(e.total, 0, { name, text: '' });
          stages.set(e.key, bar);
        }
        bar.setTotal(e.total);
        bar.update(e.index, { name, text: `${e.cached ? 'CACHED ' : ''}${e.text.slice(0, 60)}` });
        return;
      }
      case 'stage': {
        const bar = stages.get(e.key);
        if (bar && e.state !== 'start') bar.update(bar.getTotal(), { text: e.state === 'failed' ? 'FAILED' : e.state === 'cached' ? 'CACHED' : 'done' });
        return;
      }
      case 'blob': {
        const id = `${e.target} ${e.digest}`;
        if (e.state === 'start' || e.state === 'progress') {
          let bar = blobs.get(id);
          if (!bar) {
            bar = multi.create(e.size, 0, { name: `push ${shortDigest(e.digest)}`, text: e.target }, { format: ' {name} {bar} {value}/{total} bytes {text}' });
            blobs.set(id, bar);
          }
          if (e.bytes !== undefined) bar.increment(e.bytes);
          return;
        }
        const bar = blobs.get(id);
        if (bar) bar.update(e.size, { text: `${e.target} ${e.state}` });
        else multi.log(`${plainLine(e) ?? ''}\n`);
        return;
      }
      default: {
        const line = plainLine(e);
        if (line !== undefined) multi.log(`${line}\n`);
      }
    }
  };
  return { sink, stop: () => multi.stop() };
}
