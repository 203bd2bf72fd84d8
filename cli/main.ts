#!/usr/bin/env node
import { createRequire } from 'node:module';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isOcibakeError } from '../lib/index.js';
import { commandLoaders } from './commands/index.js';
import { wasInterrupted } from './interrupt.js';
import { debugEnabled } from './command.js';

/**
 * `main` is the CLI entry: it registers the commands, runs one, and turns errors into
 * `error: …` / `hint: …` lines with a non-zero exit, never a stack trace for user errors.
 */
async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('ocibake')
    // `--no-cache` is a flag of its own (as in docker), not the negation of a `--cache` flag.
    .parserConfiguration({ 'boolean-negation': false })
    .usage('$0 <command> [options]\n\nDaemonless, multi-platform OCI image builder.')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces and HTTP details' })
    .strict()
    .demandCommand(1, 'name a command, e.g. `ocibake build . --platform linux/amd64,linux/arm64`')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version((createRequire(import.meta.url)('../../package.json') as { version: string }).version)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const load of commandLoaders) cli.command(await load());
  await cli.parseAsync();
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

class UsageError extends Error {}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const debug = debugEnabled();
    if (wasInterrupted()) {
      process.stderr.write('error: the build was interrupted; nothing was published\n');
      process.exitCode = 130;
    } else if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\nhint: run \`ocibake --help\` for the commands and flags\n`);
      process.exitCode = 2;
    } else if (isOcibakeError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      if (debug) process.stderr.write(`${err.stack ?? ''}\n`);
      process.exitCode = 1;
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`error: internal error: ${e.message}\n`);
      process.stderr.write(debug ? `${e.stack ?? ''}\n` : 'hint: this is a bug in ocibake; run again with --debug and report the output\n');
      process.exitCode = 70;
    }
  },
);
