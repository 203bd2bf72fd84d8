// The content-store conformance suite against RegistryStore on the real distribution registry:
// the same contract the memory store, the cache and OCI layouts pass.
import { after, before } from 'node:test';
import { RegistryClient, RegistryStore } from '../../registry/index.js';
import { contentStoreSuite, targetSuite } from '../conformance/content-store.suite.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';

let reg: TestRegistry;
let client: RegistryClient;
let n = 0;
before(async () => {
  reg = await startRegistry('anonymous');
  client = new RegistryClient({ keychain: { resolve: async () => undefined } });
});
after(async () => {
  await client?.close();
  await reg?.stop();
});

const fresh = async (): Promise<RegistryStore> => new RegistryStore(client, { registry: reg.host, repository: `conformance/r${n++}` }, { access: 'push' });
contentStoreSuite('RegistryStore', fresh);
targetSuite('RegistryStore', fresh);
