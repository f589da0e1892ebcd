// Which files a request may name (issue 13, defects 4 and 11): the browser host confines paths to
// its workspace; the desktop app accepts only paths chosen in native dialogs, confirmed by the
// user, or on the recent list; the IPC carrier answers only Kairo's own frame. The desktop side
// runs here with stand-ins for Electron's dialogs, as in the IPC carrier's own test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bindIpc, IPC_REQUEST, type IpcMainLike } from '../../core/carriers/ipc.ts';
import type { ResponseEnvelope } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { encodeIdx } from '../../core/data/idx.ts';
import { grantPolicy, idxPaths, workspacePolicy } from '../../core/paths.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();

function idxPair(dir: string): { kind: 'idx'; name: string; trainImages: string; trainLabels: string } {
  writeFileSync(join(dir, 'i.idx'), encodeIdx([4, 2, 2], new Uint8Array(16)));
  writeFileSync(join(dir, 'l.idx'), encodeIdx([4], Uint8Array.of(0, 1, 0, 1)));
  return { kind: 'idx', name: 'x', trainImages: join(dir, 'i.idx'), trainLabels: join(dir, 'l.idx') };
}

test('the browser host’s workspace: sessions and data inside it only, symbolic links resolved', async () => {
  const ws = tempDir();
  const outside = tempDir();
  symlinkSync(outside, join(ws, 'escape'));
  const core = new Core({ platform: { carrier: 'web', paths: workspacePolicy(ws) } });
  await core.call('session.save', { path: join(ws, 'a.kairo') });
  await core.call('session.open', { path: join(ws, 'a.kairo') });
  for (const p of [join(outside, 'b.kairo'), join(ws, '..', 'c.kairo'), join(ws, 'escape', 'd.kairo'), '/etc/passwd']) {
    await assert.rejects(
      core.call('session.save', { path: p }),
      /outside the workspace .*; the browser host saves files there only/,
    );
  }
  await assert.rejects(core.call('session.open', { path: '/etc/shadow' }), /^KairoError: \/etc\/shadow: outside the workspace/);
  await assert.rejects(core.call('data.summary', { source: idxPair(outside) }), /i\.idx: outside the workspace/);
  mkdirSync(join(ws, 'data'));
  assert.equal((await core.call('data.summary', { source: idxPair(join(ws, 'data')) })).train.count, 4);
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'data.baseline',
      params: {
        source: idxPair(outside),
        epochs: 1,
        batchSize: 2,
        learningRate: 0.1,
        trainSize: 0,
        seed: 1,
        trackEvery: 0,
        trackTrace: false,
        warmStart: false,
      },
    }),
    /outside the workspace/,
  );
  // The path is checked before anything reads it: a missing file, a FIFO or a non-IDX file outside the
  // workspace all answer "outside the workspace", so a page learns nothing of what is there.
  execFileSync('mkfifo', [join(outside, 'pipe')]);
  writeFileSync(join(outside, 'text'), 'not an idx file at all');
  for (const name of ['missing', 'pipe', 'text']) {
    const src = { kind: 'idx', name: 'x', trainImages: join(outside, name), trainLabels: join(outside, name) };
    await assert.rejects(
      core.call('jobs.start', {
        kind: 'data.baseline',
        params: { source: src, epochs: 1, batchSize: 2, learningRate: 0.1, trainSize: 0, seed: 1 },
      } as never),
      (e: Error) => /outside the workspace/.test(e.message),
      name,
    );
  }
  // Inside it, a bad file is still refused at the start, from its header alone.
  writeFileSync(join(ws, 'data', 'text'), 'not an idx file at all');
  const src = { kind: 'idx', name: 'x', trainImages: join(ws, 'data', 'text'), trainLabels: join(ws, 'data', 'l.idx') };
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'data.baseline',
      params: { source: src, epochs: 1, batchSize: 2, learningRate: 0.1, trainSize: 0, seed: 1 },
    } as never),
    /text: not an IDX file/,
  );
  // A sweep's flags name files too: an --out or --session outside the workspace is refused.
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'sweep.local',
      params: { spec: { command: ['vae', 'train'], fixed: { out: '/etc/evil.kairo' } } },
    }),
    /\/etc\/evil\.kairo: outside the workspace/,
  );
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'sweep.local',
      params: { spec: { command: ['vae', 'recall'], grid: { session: [join(ws, 'a.kairo'), join(outside, 'b.kairo')] } } },
    }),
    /b\.kairo: outside the workspace/,
  );
  await assert.rejects(core.call('sweep.collect', { path: outside }), /outside the workspace/);
  await core.shutdown();
});

test('the desktop app: only picked, confirmed or recent paths; a session’s data files need the user’s yes', async () => {
  const d = tempDir();
  const picks: string[] = [];
  const asked: string[][] = [];
  let answer = false;
  const policy = grantPolicy();
  const core = new Core({
    platform: {
      carrier: 'electron',
      paths: policy,
      pickPath: async () => picks.shift() ?? null,
      confirmRead: async (paths) => (asked.push(paths), answer),
    },
  });
  const file = join(d, 's.kairo');
  await assert.rejects(core.call('session.save', { path: file }), /not chosen in a file dialog; use Open… or Save As…/);
  picks.push(file);
  assert.equal((await core.call('platform.pickPath', { purpose: 'session-save', suggested: null })).path, file);
  await core.call('session.save', { path: file });
  // A session that names data files: picked through the dialog, they read.
  const src = idxPair(d);
  picks.push(src.trainImages, src.trainLabels);
  await core.call('platform.pickPath', { purpose: 'idx-file', suggested: null });
  await core.call('platform.pickPath', { purpose: 'idx-file', suggested: null });
  await core.call('session.update', { lab: 'data', state: { ...core.session.labs.data, source: src } });
  assert.equal((await core.call('data.summary', { source: src })).train.count, 4);
  await core.call('session.save', { path: null });
  await core.shutdown();

  // Reopened in a fresh app (the session on the recent list, the data files not): the user is asked.
  const fresh = grantPolicy([file]);
  const again = new Core({ platform: { carrier: 'electron', paths: fresh, confirmRead: async (p) => (asked.push(p), answer) } });
  await again.call('session.open', { path: file });
  assert.deepEqual(asked.at(-1), [src.trainImages, src.trainLabels]);
  await assert.rejects(
    again.call('data.summary', { source: src }),
    /i\.idx: not chosen in a file dialog; open it from the Datasets lab, or allow it when the session asks/,
  );
  answer = true;
  await again.call('session.open', { path: file });
  assert.equal((await again.call('data.summary', { source: src })).train.count, 4);
  await again.shutdown();
  assert.deepEqual(idxPaths({ a: [{ kind: 'idx', trainImages: 'x', trainLabels: 'y', testImages: null }] }), ['x', 'y']);
});

test('the IPC carrier answers only the frame it trusts', async () => {
  const core = new Core({ platform: { carrier: 'electron' } });
  const handlers = new Map<string, (e: unknown, ...a: unknown[]) => unknown>();
  const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  const own = { senderFrame: { url: 'kairo://app/index.html' } };
  bindIpc(
    ipc,
    core,
    () => null,
    (e) => (e as typeof own).senderFrame?.url.startsWith('kairo://app/') ?? false,
  );
  const call = async (event: unknown) =>
    (await handlers.get(IPC_REQUEST)!(event, { t: 'req', id: 3, method: 'session.get', params: {} })) as ResponseEnvelope;
  assert.equal((await call(own)).ok, true);
  for (const evil of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, {}]) {
    const r = await call(evil);
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? null : r.error.code, 'unauthorized');
    assert.equal(r.id, 3);
  }
  await core.shutdown();
});
