import type { ProgressEvent } from '../../lib/index.js';

/** Byte-progress events of one blob are written at most this often (every chunk would flood a log). */
const PROGRESS_INTERVAL_MS = 250;

/** `jsonRenderer` writes one JSON object per event per line (`--progress=json`), with a timestamp. */
export function jsonRenderer(out: NodeJS.WritableStream = process.stderr): (e: ProgressEvent) => void {
  const last = new Map<string, { at: number; bytes: number }>();
  return (e) => {
    if (e.type === 'blob' && e.state === 'progress') {
      const id = `${e.target} ${e.digest}`;
      const seen = last.get(id) ?? { at: 0, bytes: 0 };
      seen.bytes += e.bytes ?? 0;
      const now = Date.now();
      if (now - seen.at < PROGRESS_INTERVAL_MS) {
        last.set(id, seen);
        return;
      }
      last.set(id, { at: now, bytes: 0 });
      out.write(`${JSON.stringify({ time: new Date(now).toISOString(), ...e, bytes: seen.bytes })}\n`);
      return;
    }
    out.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  };
}
