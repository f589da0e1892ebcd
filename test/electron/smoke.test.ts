// The desktop app in a real Electron window (run by `npm run test:electron`, never by `npm test`:
// the project's machines cannot download Electron). It checks what only Electron has and the
// browser-host tests cannot reach: the sandboxed preload, the native menu, jobs in worker threads
// of the main process started from the bundle, a save through the native dialog path, and a
// clean quit. KAIRO_ELECTRON_EXECUTABLE is an Electron binary (the unpacked app in the
// repository is then its argument) or, with KAIRO_ELECTRON_PACKAGED=1, a packed app.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { EventEnvelope, JobInfo, RequestEnvelope, ResponseEnvelope } from '../../core/contract.ts';
import { tempDir } from '../helpers.ts';

const executable = process.env.KAIRO_ELECTRON_EXECUTABLE;
const packaged = process.env.KAIRO_ELECTRON_PACKAGED === '1';
let app: ElectronApplication;
let page: Page;
let pid = 0;
const home = tempDir();

// What the page sees of the preload, typed for page.evaluate.
interface KairoBridge {
  request(env: RequestEnvelope): Promise<ResponseEnvelope>;
  onEvent(cb: (e: EventEnvelope) => void): void;
}
type Win = Window & { kairo?: KairoBridge; require?: unknown; process?: unknown; __events?: EventEnvelope[] };

before(async () => {
  assert.ok(executable, 'KAIRO_ELECTRON_EXECUTABLE is not set: run this through npm run test:electron');
  // Root (a CI container) cannot use Chromium's sandbox; everywhere else it stays on.
  const sandboxArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  app = await _electron.launch({
    executablePath: executable,
    args: [...(packaged ? [] : ['.']), ...sandboxArgs],
    env: { ...process.env, KAIRO_HOME: home } as Record<string, string>,
    timeout: 60_000,
  });
  pid = app.process().pid ?? 0;
  page = await app.firstWindow();
  await page.waitForSelector('nav[aria-label="labs"] button', { timeout: 60_000 });
});

after(async () => {
  if (app) await app.close().catch(() => undefined);
});

test('the window runs the sandboxed preload: window.kairo, no Node in the page, served from kairo://app/', async () => {
  const seen = await page.evaluate(() => {
    const w = window as Win;
    return { bridge: typeof w.kairo?.request, require: typeof w.require, process: typeof w.process, origin: location.href };
  });
  assert.deepEqual(seen, { bridge: 'function', require: 'undefined', process: 'undefined', origin: 'kairo://app/index.html' });
  const info = await page.evaluate(
    async () => (await (window as Win).kairo!.request({ t: 'req', id: 1, method: 'app.info', params: {} })) as ResponseEnvelope,
  );
  assert.ok(info.ok, JSON.stringify(info));
  const result = (info as Extract<ResponseEnvelope, { ok: true }>).result as {
    carrier: string;
    backend: { name: string; threads: number };
  };
  assert.equal(result.carrier, 'electron');
  // A compiled backend started inside the app, not the plain-JavaScript fallback.
  assert.notEqual(result.backend.name, 'cpu', JSON.stringify(result.backend));
});

test('the Labs menu and its shortcuts reach the renderer', async () => {
  const labs = await app.evaluate(({ Menu }) => {
    const menu = Menu.getApplicationMenu()!;
    const items = menu.items.find((i) => i.label === 'Labs')!.submenu!.items;
    return items.map((i) => ({ label: i.label, accelerator: i.accelerator ?? null }));
  });
  assert.ok(labs.length >= 5, JSON.stringify(labs));
  assert.equal(labs[1]!.accelerator, 'CmdOrCtrl+2');
  await app.evaluate(({ Menu }, label) => {
    const item = Menu.getApplicationMenu()!
      .items.find((i) => i.label === 'Labs')!
      .submenu!.items.find((i) => i.label === label)!;
    item.click();
  }, labs[1]!.label);
  await page.waitForFunction(
    (label) => document.querySelector('nav[aria-label="labs"] button.on')?.textContent?.trim() === label,
    labs[1]!.label,
  );
});

test('a job runs in a worker thread of the main process, from the bundle, and streams progress', async () => {
  const workerUrl = await app.evaluate(() => process.env.KAIRO_WORKER_URL ?? '');
  assert.match(workerUrl, /dist\/core\/worker\.mjs$/);
  const end = await page.evaluate(async () => {
    const w = window as Win;
    const updates: JobInfo[] = [];
    const done = new Promise<JobInfo>((resolve) =>
      w.kairo!.onEvent((e) => {
        if (e.topic !== 'job.update') return;
        const info = e.payload as JobInfo;
        updates.push(info);
        if (['done', 'failed', 'cancelled', 'diverged'].includes(info.state)) resolve(info);
      }),
    );
    const params = { source: { kind: 'mnist' }, epochs: 1, batchSize: 100, learningRate: 0.5, trainSize: 3000, seed: 1 };
    const res = await w.kairo!.request({
      t: 'req',
      id: 2,
      method: 'jobs.start',
      params: { kind: 'data.baseline', params },
    } as RequestEnvelope);
    if (!res.ok) return { state: 'refused', error: res.error.message, progress: 0 };
    const last = await done;
    return {
      state: last.state,
      error: last.error?.message ?? null,
      progress: updates.filter((u) => u.state === 'running' && u.progress).length,
    };
  });
  assert.equal(end.state, 'done', end.error ?? '');
  assert.ok(end.progress >= 2, `${end.progress} progress events`);
});

test('File › Save As… saves through the native dialog path', async () => {
  const file = join(home, 'smoke.kairo');
  // The dialog is stubbed in the main process: everything after it is the app's own path.
  await app.evaluate(({ dialog }, path) => {
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: path })) as typeof dialog.showSaveDialog;
  }, file);
  await app.evaluate(({ Menu }) => {
    const file = Menu.getApplicationMenu()!.items.find((i) => i.label === 'File')!.submenu!.items;
    file.find((i) => i.label === 'Save As…')!.click();
  });
  const t0 = Date.now();
  while (!existsSync(file)) {
    assert.ok(Date.now() - t0 < 30_000, 'no session file after 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // A safetensors file: an 8-byte little-endian header length, then a JSON header naming Kairo.
  await new Promise((r) => setTimeout(r, 300));
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  assert.match(head.subarray(8).toString('utf8'), /kairo-session/);
  const recent = await app.evaluate(({ Menu }) =>
    Menu.getApplicationMenu()!
      .items.find((i) => i.label === 'File')!
      .submenu!.items.find((i) => i.label === 'Open Recent')!
      .submenu!.items.map((i) => i.label),
  );
  assert.ok(recent.includes(file), `Open Recent lists ${JSON.stringify(recent)}`);
});

test('File › New, then Open Recent and File › Open… reopen the saved session', async () => {
  const file = join(home, 'smoke.kairo');
  const sessionPath = () =>
    page.evaluate(async () => {
      const r = await (window as Win).kairo!.request({ t: 'req', id: 3, method: 'session.get', params: {} });
      return r.ok ? ((r.result as { path: string | null }).path ?? null) : `error: ${r.error.message}`;
    });
  const click = (menu: string, item: string, sub?: string) =>
    app.evaluate(
      ({ Menu }, [m, i, s]) => {
        const items = Menu.getApplicationMenu()!.items.find((x) => x.label === m)!.submenu!.items;
        const it = items.find((x) => x.label === i)!;
        (s ? it.submenu!.items.find((x) => x.label === s)! : it).click();
      },
      [menu, item, sub] as const,
    );
  // New asks before discarding unsaved changes; the session was just saved, so it does not.
  await click('File', 'New Session');
  const t0 = Date.now();
  while ((await sessionPath()) !== null) {
    assert.ok(Date.now() - t0 < 10_000, 'New Session did not reset the session');
    await new Promise((r) => setTimeout(r, 100));
  }
  await click('File', 'Open Recent', file);
  while ((await sessionPath()) !== file) {
    assert.ok(Date.now() - t0 < 20_000, 'Open Recent did not open the session');
    await new Promise((r) => setTimeout(r, 100));
  }
  await click('File', 'New Session');
  await app.evaluate(({ dialog }, path) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as typeof dialog.showOpenDialog;
  }, file);
  await click('File', 'Open…');
  while ((await sessionPath()) !== file) {
    assert.ok(Date.now() - t0 < 30_000, 'File › Open… did not open the session');
    await new Promise((r) => setTimeout(r, 100));
  }
});

test('the app quits cleanly: the process ends and leaves no child behind', async () => {
  await app.close();
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, `Electron (pid ${pid}) still runs 10 s after close`);
  // Job workers are threads, so they end with the process; a stray child process would show here.
  if (process.platform !== 'win32') {
    const children = execFileSync('ps', ['-A', '-o', 'ppid=,pid=,comm='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim().split(/\s+/)[0] === String(pid));
    assert.deepEqual(children, []);
  }
});
