import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chompHeredoc, heredocMarkers, parseHeredocWord } from '../../../../../lib/dockerfile/ast/heredoc.js';

test('parseHeredocWord: fd, chomp, quoting decides expansion', () => {
  assert.deepEqual(parseHeredocWord('<<EOF'), { name: 'EOF', fileDescriptor: 0, expand: true, chomp: false });
  assert.deepEqual(parseHeredocWord("3<<-'EOF'"), { name: 'EOF', fileDescriptor: 3, expand: false, chomp: true });
  assert.deepEqual(parseHeredocWord('<<  EOF'), { name: 'EOF', fileDescriptor: 0, expand: true, chomp: false });
  assert.equal(parseHeredocWord("<<eo\\'f")?.expand, true, 'an escaped quote is not quoting');
  assert.equal(parseHeredocWord("<<'e'o\\'f")?.name, "eo'f");
  assert.equal(parseHeredocWord('<<'), undefined);
  assert.equal(parseHeredocWord('<<<EOF'), undefined);
  assert.equal(parseHeredocWord('<EOF'), undefined);
});

test('heredocMarkers follows shell words: spaced markers count, quoted ones do not', () => {
  assert.deepEqual(
    heredocMarkers('RUN cat << EOF > /etc/foo').map((m) => m.name),
    ['EOF'],
  );
  assert.deepEqual(
    heredocMarkers('RUN <<- EOF').map((m) => m.name),
    ['EOF'],
  );
  assert.deepEqual(
    heredocMarkers('RUN << -EOF').map((m) => m.name),
    ['-EOF'],
  );
  assert.deepEqual(
    heredocMarkers('RUN "<<EOF" \'<<X\'').map((m) => m.name),
    [],
  );
  assert.deepEqual(
    heredocMarkers('COPY <<A <<B /d').map((m) => m.name),
    ['A', 'B'],
  );
  assert.deepEqual(
    heredocMarkers('RUN <<$EOF').map((m) => m.name),
    ['$EOF'],
    'unset variables stay as written',
  );
});

test('chompHeredoc strips the leading tabs of every line', () => {
  assert.equal(chompHeredoc('\t\ta\n\tb\n c\n'), 'a\nb\n c\n');
});
