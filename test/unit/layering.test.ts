// ARCHITECTURE.md's import rules, checked on every file rather than trusted.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|mjs|svelte)$/.test(f) ? [p] : [];
  });
}

const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*import\s+(type\s+)?(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/gm)].map((m) => ({
    typeOnly: !!m[1],
    spec: m[2]!,
  }));

test('only electron/ imports electron at run time', () => {
  for (const dir of ['core', 'models', 'renderer/src', 'scripts', 'bin'])
    for (const f of files(dir))
      for (const i of imports(f)) assert.ok(i.spec !== 'electron' || i.typeOnly, `${f} imports electron`);
});

test('models/ imports neither core/ nor Node or DOM APIs', () => {
  for (const f of files('models'))
    for (const i of imports(f)) {
      assert.ok(!i.spec.includes('/core/') && !i.spec.startsWith('node:'), `${f} imports ${i.spec}`);
      assert.ok(i.spec.startsWith('.') || i.spec.startsWith('@tensorflow/'), `${f} imports ${i.spec}`);
    }
});

test('renderer/ reaches the core only through the contract', () => {
  for (const f of files('renderer/src'))
    for (const i of imports(f)) {
      assert.ok(!i.spec.startsWith('node:'), `${f} imports ${i.spec}`);
      if (i.spec.includes('/core/')) assert.match(i.spec, /\/core\/contract$/, `${f} imports ${i.spec}`);
    }
});

test('the packaged main process does not contain the WebSocket host', () => {
  const main = readFileSync('dist/electron/main.mjs', 'utf8');
  assert.ok(!main.includes('WebSocketServer') && !main.includes('startHost'));
  assert.ok(main.includes('kairo:request'));
});
