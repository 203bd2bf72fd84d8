/**
 * File names on Linux are bytes, not text: a build context may hold a name that is not valid
 * UTF-8 (`caf\xe9.txt` from a Latin-1 system), and BuildKit copies it byte for byte. Node turns
 * such a name into U+FFFD when it decodes it, after which the file cannot be found again.
 *
 * ocibake keeps names as strings and makes the decoding lossless instead, as Python does for
 * file names (PEP 383, "surrogateescape"): valid UTF-8 decodes as usual, and each byte that is
 * not part of valid UTF-8 becomes the lone surrogate U+DC80 + (byte - 0x80), which valid UTF-8
 * never yields. `nameToBytes` undoes it exactly; `fsPath` gives Node's fs functions the bytes
 * when a path holds such a byte, and the string itself otherwise.
 *
 *   nameFromBytes(Buffer.from([0x63, 0xe9]))  // 'c\udce9'
 *   await lstat(fsPath(join(dir, name)))
 */
import { isUtf8 } from 'node:buffer';

// A lone escape: a low surrogate for a byte 0x80-0xFF that does not follow a high surrogate.
const ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** `nameFromBytes` decodes a file name (or link target) without losing any byte. */
export function nameFromBytes(bytes: Uint8Array): string {
  return isUtf8(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : decodeEscaping(bytes);
}

/** `nameToBytes` is the bytes a name stands for (its UTF-8, with escaped bytes restored). */
export function nameToBytes(name: string): Buffer {
  if (!ESCAPE.test(name)) return Buffer.from(name, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const prev = i > 0 ? name.charCodeAt(i - 1) : 0;
    if (c >= 0xdc80 && c <= 0xdcff && !(prev >= 0xd800 && prev <= 0xdbff)) {
      out.push(c - 0xdc00);
      continue;
    }
    const cp = name.codePointAt(i)!;
    if (cp > 0xffff) i++;
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
  }
  return Buffer.from(out);
}

/** `hasEscapedBytes` tells whether a name holds bytes that are not valid UTF-8. */
export function hasEscapedBytes(name: string): boolean {
  return ESCAPE.test(name);
}

/** `fsPath` is what to hand Node's fs for `path`: the string, or its bytes when it holds escaped ones. */
export function fsPath(path: string): string | Buffer {
  return ESCAPE.test(path) ? nameToBytes(path) : path;
}

/** Decodes UTF-8 by hand, escaping every byte that does not start or continue a well-formed sequence. */
function decodeEscaping(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let len = 0;
    let cp = 0;
    if (c < 0x80) [len, cp] = [1, c];
    else if (c >= 0xc2 && c <= 0xdf) [len, cp] = [2, c & 0x1f];
    else if (c >= 0xe0 && c <= 0xef) [len, cp] = [3, c & 0x0f];
    else if (c >= 0xf0 && c <= 0xf4) [len, cp] = [4, c & 0x07];
    let ok = len > 0 && i + len <= b.length;
    for (let k = 1; ok && k < len; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
    if (ok && ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return out;
}
