import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';

const check = (...args: string[]) => spawnSync(process.execPath, ['scripts/check-packaging.mjs', ...args], { encoding: 'utf8' });

test('electron-builder.yml validates and packs the right app contents', () => {
  const out = join(tempDir(), 'release');
  const r = check('--keep', out);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(report.main, 'dist/electron/main.mjs');
  assert.equal(report.packed.mnist.length, 4);
  // One platform's Dawn binary of the five the package ships (21–30 MB each).
  assert.deepEqual(report.packed.dawn, [`linux-${process.arch}/dawn.node`]);
  // electron-builder flipped the fuses in the (stand-in) binary's fuse wire: read back, they are
  // the config's, against Electron's defaults of RunAsNode, NODE_OPTIONS, --inspect and extra
  // file:// privileges on and cookie encryption off.
  assert.deepEqual(report.fuses, {
    RunAsNode: 'off',
    EnableCookieEncryption: 'on',
    EnableNodeOptionsEnvironmentVariable: 'off',
    EnableNodeCliInspectArguments: 'off',
    EnableEmbeddedAsarIntegrityValidation: 'off',
    OnlyLoadAppFromAsar: 'off',
    LoadBrowserProcessSpecificV8Snapshot: 'off',
    GrantFileProtocolExtraPrivileges: 'off',
  });
  // The shipped binary refuses --inspect, so the smoke test refuses it in one line rather than time out.
  const smoke = spawnSync(process.execPath, ['scripts/test-electron.mjs', '--packaged', join(out, 'linux-unpacked', 'kairo')], {
    encoding: 'utf8',
  });
  assert.equal(smoke.status, 2);
  assert.match(smoke.stderr, /has the --inspect fuse off, so Playwright cannot attach/);
});

test('a typo in the packaging config is caught', () => {
  const bad = join(tempDir(), 'bad.yml');
  writeFileSync(bad, readFileSync('electron-builder.yml', 'utf8').replace('linux:', 'linnux:'));
  const r = check(bad, '--validate-only');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /is invalid: .*linnux/);
});
