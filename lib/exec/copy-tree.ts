import { spawn } from 'node:child_process';
import { ExecError } from './errors.js';

/**
 * `copyTree` copies a directory tree preserving modes, owners, symlinks and times (`cp -a`,
 * reflinks where the filesystem has them). Used to start a stage from another stage's output
 * (`FROM build AS test`) without touching the original.
 */
export function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('cp', ['-a', '--reflink=auto', '--', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => reject(new ExecError('OCIBAKE_EXEC', `copying ${from}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ExecError('OCIBAKE_EXEC', `copying ${from} to ${to} failed: ${err.trim()}`))));
  });
}
