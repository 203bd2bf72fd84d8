import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

/** `CommandSpec` is one CLI verb: its flags (the builder) and what it does with them. */
export interface CommandSpec<T> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<T>;
  handler: (a: ArgumentsCamelCase<T>) => Promise<void>;
}

/**
 * `defineCommand` declares a verb whose handler's argument types are inferred from the flags its
 * builder declares, so a flag renamed in one place cannot drift from its use in the other.
 *
 *   export const pushCommand = defineCommand({ command: 'push <layout> <ref>', describe, builder: (y) => y.positional(…), handler: async (a) => … });
 */
export function defineCommand<T>(spec: CommandSpec<T>): CommandModule<object, T> {
  return spec;
}

/** `FlagsOf` is the parsed-arguments type of a builder, for helpers that take a verb's flags. */
export type FlagsOf<B> = B extends (y: Argv) => Argv<infer T> ? ArgumentsCamelCase<T> : never;

/** `debugEnabled` says whether the global `--debug` flag was given (verbs' typed flags do not carry globals). */
export function debugEnabled(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--debug');
}
