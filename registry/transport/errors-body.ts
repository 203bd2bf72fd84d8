import type { Readable } from 'node:stream';
import { readCapped } from '../../lib/io/read-capped.js';

const MAX_ERROR_BODY = 64 * 1024;

/** `readCapped` reads at most 64 KiB of an error body (ggcr caps it too) and discards the rest. */
export async function readErrorBody(body: Readable): Promise<string> {
  try {
    return (await readCapped(body, MAX_ERROR_BODY)).toString('utf8');
  } catch {
    // A body cut short still tells us the status; its text is only decoration.
    return '';
  }
}

/**
 * `parseDiagnostics` reads distribution's error body `{"errors":[{"code","message","detail"}]}`
 * (distribution spec, "Error Codes") into `CODE: message` lines; other bodies give none.
 */
export function parseDiagnostics(text: string): string[] {
  try {
    const doc = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors.map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ')).filter((s) => s !== '');
  } catch {
    return [];
  }
}

/** `redactUrl` prints a URL without its query: upload state and pre-signed signatures live there. */
export function redactUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
