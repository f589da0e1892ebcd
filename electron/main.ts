// Electron main process: a window, the menu, native dialogs, and the IPC carrier. Everything
// else is the same core the web host and the CLI use. The WebSocket host is never started here.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  protocol,
  session,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
} from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindIpc, IPC_EVENT } from '../core/carriers/ipc.ts';
import { DESKTOP_CSP, rendererFile, viewMenu } from './security.ts';
import type { MenuCommand } from '../core/contract.ts';
import { Core, type Platform } from '../core/core.ts';
import { Recovery } from '../core/session/recovery.ts';
import { grantPolicy } from '../core/paths.ts';
import { readRecent } from '../core/session/recent.ts';
import { LAB_IDS, LABS } from '../core/labs/index.ts';

let win: BrowserWindow | null = null;

// The renderer is served from kairo://app/ rather than file://, so it has a real origin of its
// own and file:// keeps no extra privileges; registered before the app is ready.
const SCHEME = 'kairo';
const ORIGIN = `${SCHEME}://app/`;
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function serveRenderer(): void {
  protocol.handle(SCHEME, async (req) => {
    const file = rendererFile(req.url, RENDERER_DIR);
    if (!file) return new Response(null, { status: 404 });
    try {
      const res = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', DESKTOP_CSP);
      return new Response(res.body, { status: res.status, headers });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

/** Only Kairo's own window and page may talk to the core. */
function senderOk(event: unknown): boolean {
  const e = event as IpcMainInvokeEvent;
  return !!win && e.sender === win.webContents && (e.senderFrame?.url ?? '').startsWith(ORIGIN);
}

const pickPath: NonNullable<Platform['pickPath']> = async (purpose, suggested) => {
  if (!win) return null;
  const sessions = [{ name: 'Kairo session', extensions: ['kairo'] }];
  if (purpose === 'session-save') {
    const r = await dialog.showSaveDialog(win, { defaultPath: suggested ?? 'session.kairo', filters: sessions });
    return r.canceled ? null : (r.filePath ?? null);
  }
  const r = await dialog.showOpenDialog(win, {
    defaultPath: suggested ?? undefined,
    properties: [purpose === 'sweep-dir' ? 'openDirectory' : 'openFile'],
    filters:
      purpose === 'session-open'
        ? sessions
        : purpose === 'sweep-dir'
          ? []
          : purpose === 'model-file'
            ? [{ name: 'PyTorch weights (safetensors) or layers (JSON)', extensions: ['safetensors', 'json'] }]
            : [{ name: 'IDX files', extensions: ['*'] }],
  });
  return r.canceled ? null : (r.filePaths[0] ?? null);
};

// Job workers inherit this: the Cores that CLI commands make inside a sweep job start the same bundle.
const WORKER_URL = new URL('../core/worker.mjs', import.meta.url);
process.env.KAIRO_WORKER_URL = WORKER_URL.href;

/** A session opened from a file may name data files: the user allows reading them, natively. */
const confirmRead = async (paths: string[]): Promise<boolean> => {
  if (!win) return false;
  const r = await dialog.showMessageBox(win, {
    type: 'question',
    buttons: ['Allow', 'Don’t allow'],
    defaultId: 1,
    cancelId: 1,
    message: 'This session reads data from files on this computer',
    detail: `${paths.join('\n')}\n\nAllow Kairo to read them?`,
  });
  return r.response === 0;
};

const core = new Core({
  // Paths come only from native dialogs, the user's confirmations and the recent list.
  platform: { carrier: 'electron', pickPath, paths: grantPolicy(readRecent()), confirmRead },
  jobs: { workerUrl: WORKER_URL },
  recovery: new Recovery(),
});

function send(command: MenuCommand): void {
  win?.webContents.send(IPC_EVENT, { t: 'evt', topic: 'menu', payload: { command } });
}

function buildMenu(): void {
  const recent = readRecent();
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: () => send('session.new') },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => send('session.open') },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? recent.map((p) => ({ label: p, click: () => send({ openRecent: p }) }))
            : [{ label: 'No recent sessions', enabled: false }],
        },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => send('session.save') },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => send('session.saveAs') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Labs',
      submenu: LAB_IDS.map((id, i) => ({
        label: LABS[id].title,
        accelerator: `CmdOrCtrl+${i + 1}`,
        click: () => send({ showLab: id }),
      })),
    },
    viewMenu(app.isPackaged),
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function createWindow(): Promise<void> {
  win = new BrowserWindow({
    width: 1360,
    height: 880,
    title: 'Kairo',
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: !app.isPackaged,
    },
  });
  // The renderer is local; any navigation or new window would be a bug or an attack.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-frame-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.on('focus', buildMenu); // the recent list may have changed
  // Quitting with unsaved changes asks, as every desktop editor does (a crash still leaves the recovery copy).
  win.on('close', (e) => {
    if (closeAnswered || !core.session.view().dirty) return;
    e.preventDefault();
    void askBeforeClose();
  });
  await win.loadURL(`${ORIGIN}index.html`);
}

let closeAnswered = false;

/** Save, don't save, or stay: the answer to closing the window with unsaved changes. */
async function askBeforeClose(): Promise<void> {
  if (!win) return;
  const running = core.jobs.list().filter((j) => j.state === 'running' || j.state === 'queued').length;
  const r = await dialog.showMessageBox(win, {
    type: 'question',
    buttons: ['Save', 'Don’t Save', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    message: 'Save the changes to this session before quitting?',
    detail:
      (running ? `${running} job${running === 1 ? ' is' : 's are'} still running and will be stopped. ` : '') +
      'Changes that are not saved are lost.',
  });
  if (r.response === 2) return;
  if (r.response === 0) {
    const path = core.session.view().path ?? (await pickPath('session-save', null));
    if (!path) return;
    core.pathPolicy?.grant(path);
    try {
      await core.call('session.save', { path });
    } catch (e) {
      await dialog.showMessageBox(win, { type: 'error', message: 'The session could not be saved', detail: String(e) });
      return;
    }
  } else discardOnQuit = true;
  closeAnswered = true;
  win.close();
}
let discardOnQuit = false;

bindIpc(ipcMain, core, () => win?.webContents ?? null, senderOk);
core.subscribe((e) => {
  if (e.topic === 'session.changed') buildMenu();
});

app.whenReady().then(async () => {
  serveRenderer();
  // Kairo needs no camera, microphone, notifications, geolocation or anything else: deny all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  buildMenu();
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

app.on('window-all-closed', () => {
  // "Don't Save" means it: no recovery copy is offered at the next start.
  void core.shutdown({ keepRecovery: !discardOnQuit }).then(() => app.quit());
});
