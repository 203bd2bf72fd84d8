/**
 * Wildcards in COPY/ADD sources and --exclude patterns, with Go `filepath.Match` rules per path
 * segment (`*` and `?` never cross `/`, `[a-z]` classes, `[!x]`/`[^x]` negation, `\` escapes)
 * plus `**` for any number of segments, as .dockerignore and BuildKit's --exclude accept.
 */

/** `hasWildcard` tells whether a source needs matching rather than a direct lookup. */
export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p);
}

function segmentRegex(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < seg.length) out += escapeRe(seg[++i]!);
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('!') || cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `compileGlob` turns a `/`-separated pattern into an anchored RegExp over `/`-separated paths. */
export function compileGlob(pattern: string): RegExp {
  const segs = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let re = '';
  segs.forEach((seg, i) => {
    if (seg === '**') {
      re += i === segs.length - 1 ? '(?:/.*)?' : '(?:/[^/]+)*';
    } else {
      re += `/${segmentRegex(seg)}`;
    }
  });
  return new RegExp(`^${re.replace(/^\(\?:\/\[\^\/\]\+\)\*/, '(?:/[^/]+)*')}$`);
}

/** `matchGlob` tests a relative path against a pattern (both `/`-separated, no leading `/`). */
export function matchGlob(pattern: string, relPath: string): boolean {
  return compileGlob(pattern).test(`/${relPath.replace(/^\/+/, '')}`);
}
