import type { ProgressEvent } from '../../lib/index.js';

/** `jsonRenderer` writes one JSON object per event per line (`--progress=json`), with a timestamp. */
export function jsonRenderer(out: NodeJS.WritableStream = process.stderr): (e: ProgressEvent) => void {
  return (e) => {
    out.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  };
}
