import { cleanPath } from './clean.js';

/** `IgnoreLine` is one pattern read from an ignore file and the line it came from. */
export interface IgnoreLine {
  pattern: string;
  line: number;
}

/**
 * `readIgnoreFile` reads the patterns of a .dockerignore file as moby's `ignorefile.ReadAll`
 * does: a line starting with `#` is a comment; lines are trimmed and blank ones skipped; a pattern
 * is cleaned and loses a leading `/`; `!` (with blanks after it allowed) is kept in front.
 *
 *     readIgnoreFile('# deps\nnode_modules/\n! /keep.txt\n') // [{ pattern: 'node_modules', line: 2 }, { pattern: '!keep.txt', line: 3 }]
 */
export function readIgnoreFile(text: string): IgnoreLine[] {
  const out: IgnoreLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let p = lines[i]!;
    if (i === 0 && p.charCodeAt(0) === 0xfeff) p = p.slice(1);
    if (p.startsWith('#')) continue;
    p = p.trim();
    if (p === '') continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p !== '') {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push({ pattern: invert ? `!${p}` : p, line: i + 1 });
  }
  return out;
}
