// Run by tools.test.ts: starts `sleep 1000 MARKER` (MARKER a unique small number: sleep sums its arguments) through `dyingWithParent` (or, with "plain",
// without setpriv), prints the sleep's pid, and stays alive until it is killed.
// Usage: node dying-child.js MARKER [plain]
import { spawn } from 'node:child_process';
import { dyingWithParent, findHostTools } from '../../../../lib/sandbox/tools.js';

const [marker, plain] = process.argv.slice(2) as [string, string | undefined];
const tools = findHostTools().tools!;
const [cmd, args] = dyingWithParent(plain ? { ...tools, setpriv: undefined } : tools, 'sleep', ['1000', marker]);
const child = spawn(cmd, args, { stdio: 'ignore' });
process.stdout.write(`${child.pid}\n`);
setInterval(() => {}, 1000);
