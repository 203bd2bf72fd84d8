import { spawn } from 'node:child_process';
import { SnapshotError } from './errors.js';

/**
 * `runTool` runs one helper (`getfattr`, `setfattr`, `mknod`) with optional stdin and returns
 * its stdout. Node has no xattr or mknod API; each call is batched so that a layer costs a few
 * spawns, never one per file. A non-zero exit is a `SnapshotError` carrying the tool's stderr.
 */
export async function runTool(cmd: string, args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // EPIPE when the tool exits before reading all its input; the exit status says why.
    child.stdin.on('error', () => {});
    child.on('error', (e) =>
      reject(
        new SnapshotError('OCIBAKE_TOOL_MISSING', `running ${cmd}: ${e.message}`, {
          cause: e,
          hint: `install ${cmd === 'mknod' ? 'coreutils' : 'attr (apt-get install attr)'}`,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const stderr = Buffer.concat(err).toString('utf8').trim().split('\n').slice(0, 5).join('; ');
      reject(new SnapshotError('OCIBAKE_STORE', `${cmd} ${args.slice(0, 6).join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.slice(0, 600)}`));
    });
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}
