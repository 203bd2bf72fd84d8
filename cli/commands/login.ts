import { OcibakeError, login, parseReference } from '../../lib/index.js';
import { clientFrom, withRegistryFlags } from '../registry-flags.js';
import { defineCommand } from '../command.js';

/** `loginCommand` is `ocibake login REGISTRY -u USER --password-stdin` (Docker config.json format). */
export const loginCommand = defineCommand({
  command: 'login <registry>',
  describe: 'check credentials and store them in Docker’s config.json ($DOCKER_CONFIG or ~/.docker)',
  builder: (y) =>
    withRegistryFlags(
      y
        .positional('registry', { type: 'string', demandOption: true, describe: 'registry host[:port], e.g. ghcr.io' })
        .option('username', { alias: 'u', type: 'string', demandOption: true })
        .option('password-stdin', { type: 'boolean', default: false, describe: 'read the password from stdin (the only way: never on the command line)' })
        .example('echo "$TOKEN" | $0 login ghcr.io -u me --password-stdin', 'log in to GHCR'),
    ),
  handler: async (a) => {
    if (!a['password-stdin']) {
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'login needs --password-stdin', {
        hint: 'pipe the password: echo "$PASSWORD" | ocibake login REGISTRY -u USER --password-stdin',
      });
    }
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password === '') throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'no password on stdin');
    // Normalise like references do, so `index.docker.io` and `docker.io` are the same login.
    const registry = parseReference(`${a.registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}/x`).registry;
    const client = clientFrom(a);
    try {
      const path = await login(client, { registry, username: a.username, password });
      process.stdout.write(`Login Succeeded (credentials stored in ${path})\n`);
    } finally {
      await client.close();
    }
  },
});
