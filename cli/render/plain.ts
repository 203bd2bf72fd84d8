import type { ProgressEvent } from '../../lib/index.js';
import { formatBytes, formatDuration, shortDigest } from './format.js';

/** `label` is the `[platform key]` prefix a line carries, so interleaved platforms stay readable. */
function label(e: { key: string; platform?: string | undefined }): string {
  return e.platform && !e.key.includes('@') ? `[${e.platform} ${e.key}]` : `[${e.key}]`;
}

/**
 * `plainLine` turns one event into one line of text for CI logs (or undefined for events that
 * only matter to a live view, like byte counters).
 */
export function plainLine(e: ProgressEvent): string | undefined {
  switch (e.type) {
    case 'plan':
      return `plan: ${e.platforms.join(', ')}; ${e.stages.length} stage instance(s): ${e.stages.map((s) => `${s.key} (${s.kind})`).join(', ')}`;
    case 'warning':
      return `warning: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${e.message}`;
    case 'info':
      return e.message;
    case 'debug':
      return `debug: ${e.message}`;
    case 'base':
      return `[${e.platform}] base ${e.ref} → ${shortDigest(e.digest)}`;
    case 'stage':
      if (e.state === 'start') return undefined;
      return `${label(e)} ${e.state === 'cached' ? 'CACHED' : e.state === 'failed' ? 'FAILED' : 'done'}${e.durationMs !== undefined ? ` ${formatDuration(e.durationMs)}` : ''}`;
    case 'step':
      // A step prints when it starts, or once as CACHED; its finishing event adds nothing to a log.
      if (e.cached === false) return undefined;
      return `${label(e)} ${e.index}/${e.total} ${e.cached ? 'CACHED ' : ''}${e.text}`;
    case 'log':
      return `${label(e)} ${e.line}`;
    case 'layer':
      return `[${e.platform}] layer ${shortDigest(e.digest)} ${formatBytes(e.size)} ← ${e.created_by}`;
    case 'blob':
      if (e.state === 'uploaded' || e.state === 'written' || e.state === 'mounted' || e.state === 'exists') {
        const verb = { uploaded: 'uploaded', written: 'wrote', mounted: 'mounted', exists: 'already there' }[e.state];
        return `${e.target}: ${verb} ${shortDigest(e.digest)} ${formatBytes(e.size)}`;
      }
      return undefined;
    case 'image':
      return `[${e.platform}] image ${e.digest} (${formatBytes(e.size)})`;
    case 'index':
      return `index ${e.digest}`;
    case 'published':
      return /^(oci|oci-archive|docker-archive):/.test(e.target) ? `wrote ${e.target} ${e.digest}` : `pushed ${e.target}@${e.digest}`;
    case 'done':
      return `done in ${formatDuration(e.durationMs)}`;
  }
}

/** `plainRenderer` writes one line per event to a stream (stderr by default). */
export function plainRenderer(out: NodeJS.WritableStream = process.stderr): (e: ProgressEvent) => void {
  return (e) => {
    const line = plainLine(e);
    if (line !== undefined) out.write(`${line}\n`);
  };
}
