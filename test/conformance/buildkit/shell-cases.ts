// BuildKit's shell lexer tables: shell/envVarTest (ProcessWord, with the environment of
// TestShellParser4EnvVars; `A|` and `U|` lines, as on Unix) and shell/wordsTest (ProcessWords).
import assert from 'node:assert/strict';
import { processShellWord } from '../../../lib/dockerfile/shell/lex.js';
import type { Case, Fixtures } from './fixtures.js';

const SHELL = 'moby-buildkit/frontend/dockerfile/shell';
const ENV: Readonly<Record<string, string>> = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };

function run(word: string, env: Readonly<Record<string, string>>): { value: string; words: string[] } | 'error' {
  try {
    return processShellWord(word, (n) => env[n], { escape: '\\' });
  } catch {
    return 'error';
  }
}

/** `shellCases` lists one case per envVarTest and wordsTest line. */
export function shellCases(fx: Fixtures): Case[] {
  const out: Case[] = [];
  fx.text(`${SHELL}/envVarTest`)
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (raw.startsWith('#') || line === '') return;
      const [platform, source, expected] = line.split('|').map((s) => s.trim()) as [string, string, string];
      if (platform === 'W') return;
      out.push({
        id: `shell/envVarTest:${i + 1}`,
        group: 'shell envVarTest',
        run: () => {
          const got = run(source, ENV);
          assert.equal(got === 'error' ? 'error' : got.value, expected, `ProcessWord(${JSON.stringify(source)})`);
        },
      });
    });
  const env: Record<string, string> = {};
  fx.text(`${SHELL}/wordsTest`)
    .split('\n')
    .forEach((line, i) => {
      if (line.startsWith('#') || line === '') return;
      if (line.startsWith('ENV ')) {
        const kv = line.slice(3).replace(/^ +/, '');
        const eq = kv.indexOf('=');
        env[kv.slice(0, eq)] = kv.slice(eq + 1);
        return;
      }
      const snapshot = { ...env };
      const [word, expected] = line.split('|') as [string, string];
      out.push({
        id: `shell/wordsTest:${i + 1}`,
        group: 'shell wordsTest',
        run: () => {
          const got = run(word.trim(), snapshot);
          assert.deepEqual(got === 'error' ? ['error'] : got.words, expected.replace(/^ +/, '').split(','), `ProcessWords(${JSON.stringify(word.trim())})`);
        },
      });
    });
  return out;
}
