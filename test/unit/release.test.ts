// The desktop release path, as far as it can be checked without an Electron binary: the release
// workflow against GitHub's workflow schema, the commands it runs exist, `npm run test:electron`
// says in one line that there is no runtime, `npm run dist` offline says in one line what it needs,
// and the packed app's own worker bundle runs a job from the packed node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { JobManager } from '../../core/jobs/manager.ts';
import { tempDir } from '../helpers.ts';
// @ts-expect-error: a plain .mjs script module without types
import { listArtefacts, packedWrongly } from '../../scripts/packed-files.mjs';

const require = createRequire(import.meta.url);
const validator = require('@action-validator/core') as {
  validateWorkflow(src: string): { errors: { code: string; path?: string; detail?: string; title: string }[] };
};
const workflow = readFileSync('.github/workflows/release.yml', 'utf8');

test('the release workflow validates against the GitHub workflow schema, and a broken one does not', () => {
  assert.deepEqual(validator.validateWorkflow(workflow).errors, []);
  const broken = workflow.replace('runs-on: macos-14', 'runs-onn: macos-14');
  assert.notDeepEqual(validator.validateWorkflow(broken).errors, []);
});

test('the release workflow builds and smoke-tests on all three systems with commands that exist', () => {
  const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
  for (const s of workflow.matchAll(/npm run ([\w:]+)/g)) assert.ok(s[1]! in scripts, `npm run ${s[1]} is not a script`);
  for (const os of ['--linux', '--mac', '--win']) assert.match(workflow, new RegExp(`npm run dist -- ${os}`));
  assert.equal((workflow.match(/npm run test:electron -- --packaged/g) ?? []).length, 3);
  // Playwright attaches through --inspect: the smoke-tested packing turns that fuse on, the shipped one does not.
  assert.equal((workflow.match(/enableNodeCliInspectArguments=true/g) ?? []).length, 3);
  assert.match(readFileSync('electron-builder.yml', 'utf8'), /enableNodeCliInspectArguments: false/);
  assert.match(workflow, /draft: true/);
});

test('npm run test:electron without an Electron binary says so in one line and exits 0', () => {
  const r = spawnSync(process.execPath, ['scripts/test-electron.mjs'], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: tempDir() },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0]!, /^test:electron: no Electron runtime \(.*\); the smoke test did not run$/);
  const missing = spawnSync(process.execPath, ['scripts/test-electron.mjs', '--packaged', join(tempDir(), 'Kairo')], {
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /does not exist \(run npm run dist first\)/);
});

test('npm run dist without network says in one line what it needs and what it checked', async (t) => {
  const online = await lookup('github.com').then(
    () => true,
    () => false,
  );
  if (online) return t.skip('github.com resolves here: electron-builder would download what it needs');
  const cache = tempDir();
  const r = spawnSync(process.execPath, ['scripts/dist.mjs', '--no-build', '--linux', '--x64'], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_CACHE: cache, ELECTRON_MIRROR: '' },
  });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /electron-v[\d.]+-linux-x64\.zip .*github\.com.*\(ENOTFOUND|EAI_AGAIN/);
  assert.ok(lines[0]!.includes(cache), 'names the cache it checked');
});

test('files an installer must not carry are recognised', () => {
  const cases: [string, string | null][] = [
    ['dist/core/worker.mjs', null],
    ['node_modules/zod/lib/index.js', null],
    ['node_modules/zod/src/v3/tests/string.test.ts', 'test file'],
    ['node_modules/x/__tests__/a.js', 'test file'],
    ['dist/core/worker.mjs.map', 'source map'],
    ['node_modules/core-js/modules/es.array.js', 'dev-only or browser-only package'],
    ['node_modules/webgpu/dist/linux-x64.dawn.node', null],
    ['node_modules/webgpu/dist/darwin-universal.dawn.node', 'native binary for another platform'],
    ['node_modules/webgpu/dist/win32-x64.dawn.node', 'native binary for another platform'],
    ['node_modules/webgpu/dist/linux-arm64.dawn.node', 'native binary for another platform'],
  ];
  for (const [f, why] of cases) assert.equal(packedWrongly(f, 'linux', 'x64'), why, f);
});

test('the packed app (test packing: --inspect fuse on) runs a job on its own worker bundle and node_modules', async () => {
  const out = join(tempDir(), 'release');
  const r = spawnSync(
    process.execPath,
    ['scripts/check-packaging.mjs', '-c.electronFuses.enableNodeCliInspectArguments=true', '--keep', out],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(report.fuses.EnableNodeCliInspectArguments, 'on');
  assert.equal(report.fuses.RunAsNode, 'off');
  const app = join(out, 'linux-unpacked', 'resources', 'app');
  const m = new JobManager({
    workerUrl: pathToFileURL(join(app, 'dist', 'core', 'worker.mjs')),
    onUpdate: () => undefined,
    onOutput: () => null,
  });
  try {
    const job = m.start(
      'data.baseline',
      {
        source: { kind: 'mnist' },
        epochs: 1,
        batchSize: 100,
        learningRate: 0.5,
        trainSize: 2000,
        seed: 1,
        trackEvery: 0,
        trackTrace: false,
        warmStart: false,
      },
      'baseline',
    );
    const end = await m.wait(job.id);
    assert.equal(end.state, 'done', end.error?.message);
  } finally {
    await m.shutdown();
  }
});

test('npm run dist lists the installers it wrote, with sizes, and not their metadata or older files', () => {
  const out = tempDir();
  const since = Date.now() - 1000;
  writeFileSync(join(out, 'Kairo-0.1.0.AppImage'), Buffer.alloc(3000));
  writeFileSync(join(out, 'kairo_0.1.0_amd64.deb'), Buffer.alloc(1234));
  for (const f of ['latest-linux.yml', 'Kairo-0.1.0.AppImage.blockmap', 'builder-debug.yml']) writeFileSync(join(out, f), 'x');
  mkdirSync(join(out, 'linux-unpacked'));
  writeFileSync(join(out, 'Kairo-0.0.9.AppImage'), 'old');
  utimesSync(join(out, 'Kairo-0.0.9.AppImage'), new Date(since - 60_000), new Date(since - 60_000));
  assert.deepEqual(listArtefacts(out, since), [
    { file: join(out, 'Kairo-0.1.0.AppImage'), size: 3000 },
    { file: join(out, 'kairo_0.1.0_amd64.deb'), size: 1234 },
  ]);
});
