// Run by caps.test.ts in another process (as another user, or in a mount namespace with an odd
// scratch filesystem): probes the sandbox for SCRATCH and prints the result as JSON.
// Usage: node probe-child.js SCRATCH
import { probeSandbox } from '../../../../lib/sandbox/caps.js';

process.stdout.write(JSON.stringify(probeSandbox(process.argv[2]!)));
