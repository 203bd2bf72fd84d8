import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';
import type { Instruction } from '../../../../lib/dockerfile/instructions.js';

const one = (line: string): Instruction => parseDockerfile(`FROM a\n${line}\n`).stages[0]!.instructions[0]!;

test('parseDockerfile splits global ARGs and stages, lower-cases stage names', () => {
  const df = parseDockerfile('ARG V=1\nfrom alpine:$V AS Base\nrun echo\nFROM base\n', 'Dockerfile');
  assert.equal(df.globalArgs.length, 1);
  assert.equal(df.stages.length, 2);
  assert.equal(df.stages[0]!.name, 'base');
  assert.equal(df.stages[0]!.from.image, 'alpine:$V');
  assert.equal(df.stages[0]!.instructions[0]!.kind, 'RUN');
  assert.deepEqual(df.stages[0]!.range, { startLine: 2, endLine: 3, column: 1 });
  assert.equal(df.stages[1]!.index, 1);
});

test('instructions are case-insensitive and typed', () => {
  assert.deepEqual(one('env A=1 B="two words" C=x\\ y'), {
    kind: 'ENV',
    range: { startLine: 2, endLine: 2, column: 1 },
    text: 'env A=1 B="two words" C=x\\ y',
    pairs: [
      { key: 'A', value: '1' },
      { key: 'B', value: '"two words"' },
      { key: 'C', value: 'x\\ y' },
    ],
  });
  const legacy = one('ENV PATH /usr/local/bin:$PATH');
  assert.equal(legacy.kind, 'ENV');
  if (legacy.kind === 'ENV') assert.deepEqual(legacy.pairs, [{ key: 'PATH', value: '/usr/local/bin:$PATH' }]);
});

test('a broken JSON array is shell form, as in BuildKit', () => {
  assert.deepEqual((one('CMD ["echo", "x"') as { command: unknown }).command, { form: 'shell', text: '["echo", "x"' });
  assert.deepEqual((one("RUN ['a', 'b']") as { command: unknown }).command, { form: 'shell', text: "['a', 'b']" });
});

test('COPY words split on blanks only; each is expanded later', () => {
  assert.deepEqual((one('COPY a\\ b "my file" /x') as { sources: unknown }).sources, ['a\\', 'b', '"my', 'file"']);
});

test('COPY << EOF: a spaced heredoc marker is a heredoc source', () => {
  const c = parseDockerfile('FROM a\nCOPY << EOF <<-X /etc/\nbody\nEOF\n\tx\nX\n').stages[0]!.instructions[0]!;
  assert.ok(c.kind === 'COPY');
  assert.deepEqual(
    [c.sources, c.heredocs.map((h) => [h.name, h.content])],
    [
      [],
      [
        ['EOF', 'body\n'],
        ['X', 'x\n'],
      ],
    ],
  );
});

test('lenient parsing accepts duplicate and reserved stage names (BuildKit warns about them)', () => {
  const df = parseDockerfile('FROM a AS x\nFROM b AS X\nFROM c AS scratch\n', 'Dockerfile', { lenient: true });
  assert.deepEqual(
    df.stages.map((s) => s.name),
    ['x', 'x', 'scratch'],
  );
});

test('the syntax tree rides along, not enumerable', () => {
  const df = parseDockerfile('from a AS Base\n');
  assert.equal(df.ast.children[0]!.keyword, 'from');
  assert.deepEqual(df.ast.children[0]!.args, ['a', 'AS', 'Base']);
  assert.equal(Object.keys(df).includes('ast'), false);
});

test('exec form vs shell form', () => {
  const cmd = one('CMD ["nginx", "-g", "daemon off;"]');
  assert.ok(cmd.kind === 'CMD' && cmd.command.form === 'exec');
  if (cmd.kind === 'CMD' && cmd.command.form === 'exec') assert.deepEqual(cmd.command.argv, ['nginx', '-g', 'daemon off;']);
  const shell = one('ENTRYPOINT exec /app --flag');
  assert.ok(shell.kind === 'ENTRYPOINT' && shell.command.form === 'shell' && shell.command.text === 'exec /app --flag');
  const test = one('RUN [ -f /etc/os-release ] && cat /etc/os-release');
  assert.ok(test.kind === 'RUN' && test.command.form === 'shell', 'the test command [ … ] stays shell form');
});

test('COPY and ADD flags, sources and destination', () => {
  const c = one('COPY --from=build --chown=1000:1000 --chmod=0755 --link --exclude=*.md --exclude=docs a b /dst/');
  assert.ok(c.kind === 'COPY');
  if (c.kind !== 'COPY') return;
  assert.deepEqual(
    [c.from, c.chown, c.chmod, c.link, c.exclude, c.sources, c.dest],
    ['build', '1000:1000', '0755', true, ['*.md', 'docs'], ['a', 'b'], '/dst/'],
  );
  const j = one('COPY ["my file.txt", "/dst dir/"]');
  assert.ok(j.kind === 'COPY' && j.sources[0] === 'my file.txt' && j.dest === '/dst dir/');
  const a = one('ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir=true https://example.com/x.tgz /x/');
  assert.ok(a.kind === 'ADD' && a.keepGitDir && a.checksum?.startsWith('sha256:'));
  const p = one('COPY --parents ./a/**/package.json /app/');
  assert.ok(p.kind === 'COPY' && p.parents);
});

test('RUN --mount, --network, --security', () => {
  const r = one(
    'RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=gocache --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=bind,from=build,source=/out,target=/in --mount=type=tmpfs,target=/tmp,size=1024 --network=none --security=sandbox make',
  );
  assert.ok(r.kind === 'RUN');
  if (r.kind !== 'RUN') return;
  assert.deepEqual(r.mounts, [
    { type: 'cache', target: '/root/.cache', readonly: false, id: 'gocache', sharing: 'locked' },
    { type: 'secret', id: 'npmrc', required: false, target: '/root/.npmrc' },
    { type: 'bind', target: '/in', readwrite: false, source: '/out', from: 'build' },
    { type: 'tmpfs', target: '/tmp', size: 1024 },
  ]);
  assert.equal(r.network, 'none');
  assert.equal(r.security, 'sandbox');
  assert.deepEqual(r.command, { form: 'shell', text: 'make' });
});

test('HEALTHCHECK durations, NONE; SHELL; ONBUILD; MAINTAINER warning', () => {
  const h = one('HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --retries=3 CMD curl -f http://localhost/');
  assert.ok(h.kind === 'HEALTHCHECK');
  if (h.kind === 'HEALTHCHECK') {
    assert.deepEqual([h.interval, h.timeout, h.startPeriod, h.retries], [30e9, 90e9, 500e6, 3]);
    assert.deepEqual(h.test, { form: 'shell', text: 'curl -f http://localhost/' });
  }
  assert.ok(one('HEALTHCHECK NONE').kind === 'HEALTHCHECK');
  const s = one('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
  assert.ok(s.kind === 'SHELL' && s.argv.length === 4);
  const o = one('ONBUILD COPY . /app');
  assert.ok(o.kind === 'ONBUILD' && o.expression === 'COPY . /app');
  const oh = parseDockerfile('FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n').stages[0]!.instructions[0]!;
  assert.ok(oh.kind === 'ONBUILD' && oh.expression === 'RUN <<EOF\necho hi\nEOF', 'heredoc bodies are part of the trigger');
  const df = parseDockerfile('FROM a\nMAINTAINER Jane <j@example.com>\n');
  assert.equal(
    df.warnings.some((w) => w.line === 2 && /MAINTAINER is deprecated/.test(w.message)),
    true,
  );
});

test('WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, LABEL', () => {
  assert.deepEqual(pick(one('WORKDIR /my dir')), { path: '/my dir' });
  assert.deepEqual(pick(one('USER app:app')), { user: 'app:app' });
  assert.deepEqual(pick(one('EXPOSE 80 443/tcp 53/udp')), { ports: ['80', '443/tcp', '53/udp'] });
  assert.deepEqual(pick(one('VOLUME ["/data", "/logs"]')), { paths: ['/data', '/logs'] });
  assert.deepEqual(pick(one('VOLUME /data /logs')), { paths: ['/data', '/logs'] });
  assert.deepEqual(pick(one('STOPSIGNAL SIGTERM')), { signal: 'SIGTERM' });
  assert.deepEqual(pick(one('LABEL org.opencontainers.image.title="My App" version=1')), {
    pairs: [
      { key: 'org.opencontainers.image.title', value: '"My App"' },
      { key: 'version', value: '1' },
    ],
  });
});

function pick(i: Instruction): Record<string, unknown> {
  const { kind, range, text, ...rest } = i as Instruction & Record<string, unknown>;
  void kind;
  void range;
  void text;
  return rest;
}

const bad: [string, string, number, string, RegExp][] = [
  ['unknown instruction with suggestion', 'FROM a\nCPOY . /\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /unknown instruction: CPOY \(did you mean COPY\?\)/],
  ['unknown flag with suggestion', 'FROM a\nCOPY --form=x a b\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /unknown flag: --form \(did you mean --from\?\)/],
  ['flag on an instruction without flags', 'FROM a\nWORKDIR --x=1 /a\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /unknown flag: --x/],
  ['duplicate flag', 'FROM a\nCOPY --from=a --from=b x y\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /duplicate flag/],
  ['missing flag value', 'FROM a\nCOPY --chown x y\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /missing a value on flag: --chown/],
  ['bad --platform', 'FROM --platform=linux/amd65 a\n', 1, 'OCIBAKE_INVALID_PLATFORM', /--platform/],
  ['duplicate stage', 'FROM a AS x\nFROM b AS X\n', 2, 'OCIBAKE_DOCKERFILE_SEMANTIC', /duplicate stage name "x" \(first defined on line 1\)/],
  ['bad stage name', 'FROM a AS 1st\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /invalid name for build stage/],
  ['FROM with two words', 'FROM a b\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /one or three arguments/],
  ['instruction before FROM', 'RUN x\nFROM a\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /no build stage/],
  ['no FROM', 'ARG A\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /no FROM/],
  ['empty file', '\n# only a comment\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /no instructions/],
  ['SHELL not JSON', 'FROM a\nSHELL /bin/bash -c\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /JSON form/],
  ['nested JSON array', 'FROM a\nCMD ["a", ["b"]]\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /arrays must be comprised of strings only/],
  ['reserved stage name', 'FROM a AS context\n', 1, 'OCIBAKE_DOCKERFILE_SYNTAX', /reserved name/],
  ['heredoc destination', 'FROM a\nCOPY x <<EOF\nEOF\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /cannot accept a heredoc as a destination/],
  ['health-check interval under 1ms', 'FROM a\nHEALTHCHECK --interval=50ns CMD true\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /cannot be less than 1ms/],
  ['COPY without dest', 'FROM a\nCOPY onlyone\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /at least two arguments/],
  ['ENV without =', 'FROM a\nENV A=1 B\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /can't find =/],
  ['bad mount type', 'FROM a\nRUN --mount=type=volume,target=/x make\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /unsupported mount type/],
  ['bad mount key', 'FROM a\nRUN --mount=type=cache,taget=/x make\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /unexpected key 'taget'.*did you mean target/],
  ['ONBUILD ONBUILD', 'FROM a\nONBUILD ONBUILD RUN x\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /ONBUILD ONBUILD/],
  ['bad healthcheck duration', 'FROM a\nHEALTHCHECK --interval=often CMD true\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /invalid duration/],
  ['bad network', 'FROM a\nRUN --network=bridge x\n', 2, 'OCIBAKE_DOCKERFILE_SYNTAX', /--network=bridge/],
];
for (const [name, text, line, code, re] of bad) {
  test(`parseDockerfile rejects: ${name}`, () => {
    assert.throws(
      () => parseDockerfile(text, 'Dockerfile'),
      (e: unknown) => {
        assert.ok(e instanceof DockerfileError, `not a DockerfileError: ${String(e)}`);
        assert.equal(e.line, line);
        assert.equal(e.code, code);
        assert.match(e.message, re);
        assert.match(e.message, new RegExp(`^Dockerfile:${line}:\\d+: `));
        return true;
      },
    );
  });
}
