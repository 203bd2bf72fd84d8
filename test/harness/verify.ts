// Wrappers around tools nobody here wrote (skopeo, umoci, oci-image-tool) that e2e tests use to
// prove our output is valid. A missing tool FAILS the test with the package to install.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PACKAGES: Record<string, string> = {
  skopeo: 'skopeo',
  umoci: 'umoci',
  'oci-image-tool': 'oci-image-tool',
  'qemu-aarch64-static': 'qemu-user-static',
  'qemu-arm-static': 'qemu-user-static',
  chroot: 'coreutils',
  pigz: 'pigz',
};

/** `requireTool` returns the tool's path or throws naming the Debian package to install. */
export function requireTool(name: string): string {
  const res = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = res.stdout.trim();
  if (res.status !== 0 || !path) {
    throw new Error(`required tool "${name}" is missing: apt-get install -y ${PACKAGES[name] ?? name} (see .ci/run)`);
  }
  return path;
}

/** `tool` runs a tool and returns stdout; a non-zero exit throws with stderr included. */
export async function tool(name: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  requireTool(name);
  try {
    const { stdout } = await run(name, args, { maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 120_000, encoding: 'utf8' });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

/**
 * `ociImageToolValidate` runs `oci-image-tool validate --type image` on a layout. Quirk of the
 * Debian build (1.0.0~rc3): `--ref name=X` does not filter by name, it fails as "not unique" as
 * soon as index.json lists two different digests, so pass `ref` only for single-image layouts.
 */
export async function ociImageToolValidate(layoutDir: string, ref?: string): Promise<string> {
  const args = ['validate', '--type', 'image'];
  if (ref) args.push('--ref', `name=${ref}`);
  const out = await tool('oci-image-tool', [...args, layoutDir]);
  if (!/validation succeeded/i.test(out)) throw new Error(`oci-image-tool did not report success:\n${out}`);
  return out;
}

/** `skopeoInspectRaw` returns the raw manifest/index bytes skopeo reads for a transport reference. */
export async function skopeoInspectRaw(ref: string, extra: string[] = []): Promise<{ raw: string; json: Record<string, unknown> }> {
  const raw = await tool('skopeo', ['inspect', '--raw', ...extra, ref]);
  return { raw, json: JSON.parse(raw) as Record<string, unknown> };
}

/** `skopeoInspectConfig` returns the image config skopeo reads (one platform chosen with overrides). */
export async function skopeoInspectConfig(ref: string, extra: string[] = []): Promise<Record<string, unknown>> {
  return JSON.parse(await tool('skopeo', ['inspect', '--config', ...extra, ref])) as Record<string, unknown>;
}

/** `skopeoCopy` copies between transports (`--all` keeps every platform of an index). */
export async function skopeoCopy(src: string, dst: string, options: { all?: boolean; extra?: string[] } = {}): Promise<string> {
  const args = ['copy', '--quiet'];
  if (options.all) args.push('--all');
  return tool('skopeo', [...args, ...(options.extra ?? []), src, dst]);
}

/** `umociUnpack` unpacks `layout:tag` into an OCI runtime bundle (it checks every diff_id). */
export async function umociUnpack(layoutDir: string, tag: string, bundle: string): Promise<string> {
  return tool('umoci', ['unpack', '--image', `${layoutDir}:${tag}`, bundle]);
}
