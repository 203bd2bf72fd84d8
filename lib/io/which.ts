import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

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
