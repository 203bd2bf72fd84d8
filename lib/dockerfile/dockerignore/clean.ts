/**
 * `cleanPath` is Go's `filepath.Clean` for `/`-separated paths: repeated slashes collapse, `.`
 * elements go, `..` removes the element before it (never above the root), a trailing slash goes,
 * and an empty result is `.`. .dockerignore patterns and paths are compared in this form.
 *
 *     cleanPath('./a//b/../c/') // 'a/c'
 */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
