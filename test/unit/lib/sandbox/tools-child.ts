// Run by tools.test.ts in a mount namespace where a host tool is hidden: prints what
// findHostTools and probeSandbox say. Usage: node tools-child.js SCRATCH
import { probeSandbox } from '../../../../lib/sandbox/caps.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';

process.stdout.write(JSON.stringify({ found: findHostTools(), probe: probeSandbox(process.argv[2]!) }));
