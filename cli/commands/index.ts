import type { CommandModule } from 'yargs';

/**
 * `commands` lists every CLI verb. Each lives in its own file and stays thin: flags → options →
 * one lib call → render. Modules are loaded lazily so `ocibake --help` stays fast.
 */
// Each verb has its own argument type; yargs' command() takes any of them, which only `any` says.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commandLoaders: (() => Promise<CommandModule<object, any>>)[] = [
  async () => (await import('./build.js')).buildCommand,
  async () => (await import('./index-create.js')).indexCommand,
  async () => (await import('./pull.js')).pullCommand,
  async () => (await import('./push.js')).pushCommand,
  async () => (await import('./inspect.js')).inspectCommand,
  async () => (await import('./login.js')).loginCommand,
  async () => (await import('./cache.js')).cacheCommand,
];
