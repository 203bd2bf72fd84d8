import { dirname } from 'node:path';
import { realpathSync } from 'node:fs';
import { archInfo } from '../exec/arch-table.js';
import { crossEnv } from '../exec/cross-env.js';
import { findZig } from '../exec/tool-lookup.js';
import type { Platform } from '../oci/platform.js';

/** What `--cross-env` adds to a RUN that builds for another target: variables, and the host's zig mounted at its own path. */
export interface CrossHelp {
  env: Record<string, string>;
  /** Host directories shown read-only at the same path inside the stage (zig's). */
  dirs: string[];
}

/**
 * `crossHelp` is ocibake's opt-in cross-compilation help for a stage that declares TARGET* args
 * (`--cross-env`): GOOS/GOARCH/GOARM, Rust's target, and, when zig is found (`$OCIBAKE_ZIG` or
 * PATH), `CC="zig cc -target …"` with zig mounted into the stage (zig is one static binary, so it
 * runs in any image). Off by default: BuildKit injects none of this, and injected variables
 * change what `go generate`, `go run` and `go test` do.
 */
export function crossHelp(target: Platform, build: Platform): CrossHelp {
  // As pickCCompiler: zig only for Linux targets it can link for (not s390x, loong64); elsewhere CGO stays off.
  const zig = target.os === 'linux' && archInfo(target)?.zigLinks ? findZig() : undefined;
  const real = zig ? realpathSync(zig) : undefined;
  const env = crossEnv({ target, build, cc: real ? { kind: 'zig', zig: real } : undefined });
  return { env, dirs: real ? [dirname(real)] : [] };
}
