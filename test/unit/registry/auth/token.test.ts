// A token server's body is network JSON: anything but an object with a token is one clear
// RegistryError naming the registry, never a TypeError, and a huge body is not read into memory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { fetchToken } from '../../../../registry/auth/token.js';

let server: Server;
let body = '';
let origin = '';
const dispatcher = new Agent();
before(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await dispatcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ask = () =>
  fetchToken({
    registry: 'reg.example:5000',
    challenge: { scheme: 'bearer', params: { realm: `${origin}/token`, service: 's' } },
    scopes: [],
    credential: undefined,
    dispatcher,
    userAgent: 't',
    timeoutMs: 5000,
  });

for (const [name, text] of [
  ['null', 'null'],
  ['an array', '[{"token":"x"}]'],
  ['a string', '"token"'],
  ['an object without a token', '{"tok":"x"}'],
  ['not JSON', '<html>'],
  ['two megabytes', `{"token":"${'x'.repeat(2 << 20)}"}`],
] as const) {
  test(`a token body that is ${name} is a RegistryError naming the registry`, async () => {
    body = text;
    await assert.rejects(ask(), (err: Error & { code?: string; registry?: string }) => {
      assert.equal(err.name, 'RegistryError');
      assert.equal(err.registry, 'reg.example:5000');
      return true;
    });
  });
}

test('a token object is accepted', async () => {
  body = '{"token":"abc","expires_in":300}';
  assert.equal((await ask()).token, 'abc');
});
