import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustedCas } from '../../../../registry/transport/dispatcher.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocibake-cas-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('no extra CA: undefined, so Node keeps its defaults (system roots + NODE_EXTRA_CA_CERTS)', () => {
  assert.equal(trustedCas([], {}), undefined);
});

test('an extra CA keeps the system roots and NODE_EXTRA_CA_CERTS, which passing `ca` would otherwise drop', () => {
  const extraFile = join(tmp, 'extra.pem');
  writeFileSync(extraFile, 'EXTRA-PEM');
  const cas = trustedCas(['FLAG-PEM'], { NODE_EXTRA_CA_CERTS: extraFile })!;
  assert.equal(cas.length, rootCertificates.length + 2);
  assert.deepEqual(cas.slice(-2), ['EXTRA-PEM', 'FLAG-PEM']);
  assert.equal(trustedCas([Buffer.from('B')], { NODE_EXTRA_CA_CERTS: join(tmp, 'missing.pem') })!.at(-1), 'B');
});
