import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkToolchain, compareVersions, toolchainFor } from '../../../../lib/exec/toolchains.js';
import { ToolMissingError } from '../../../../lib/exec/errors.js';
import { which } from '../../../../lib/exec/tool-lookup.js';

const rows: [string, string | undefined, string | undefined][] = [
  ['golang', 'go', undefined],
  ['golang:1.22-alpine', 'go', '1.22'],
  ['docker.io/library/golang:1.21.5@sha256:' + 'a'.repeat(64), 'go', '1.21.5'],
  ['rust:1.75-slim', 'cargo', '1.75'],
  ['node:20', 'node', '20'],
  ['python:3.12', 'python3', '3.12'],
  ['gcc:13', 'cc', '13'],
  ['ubuntu:22.04', 'cc', '22.04'],
  ['alpine', 'cc', undefined],
  ['debian:bookworm', 'cc', undefined],
  ['ghcr.io/acme/builder:1', undefined, undefined],
];
for (const [ref, tool, version] of rows) {
  test(`toolchainFor ${ref}`, () => {
    const t = toolchainFor(ref);
    assert.equal(t?.tools[0], tool);
    assert.equal(t?.requested, version);
  });
}

test('compareVersions', () => {
  assert.equal(compareVersions('1.19.8', '1.22'), -1);
  assert.equal(compareVersions('1.22.1', '1.22'), 0);
  assert.equal(compareVersions('20.1.0', '18'), 1);
});

test('checkToolchain finds the host go and warns when the tag asks for a newer one', () => {
  const t = toolchainFor('golang:99.1')!;
  const res = checkToolchain(t, 'build', 'golang:99.1', (c) => which(c));
  assert.equal(res.tool, 'go');
  assert.match(res.version ?? '', /^\d+\.\d+/);
  assert.match(res.warning ?? '', /asks for golang:99\.1 \(golang 99\.1\) but the host's go is/);
});

test('checkToolchain names the tool and both versions when the tool is missing', () => {
  const t = toolchainFor('rust:1.75')!;
  assert.throws(
    () => checkToolchain(t, 'build', 'rust:1.75', () => undefined),
    (e: unknown) => e instanceof ToolMissingError && /host's cargo/.test(e.message) && /rust 1\.75/.test(e.message) && e.code === 'OCIBAKE_TOOL_MISSING',
  );
});
