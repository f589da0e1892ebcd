// Electron main process: a window, the menu, native dialogs, and the IPC carrier. Everything
// else is the same core the web host and the CLI use. The WebSocket host is never started here.
import { app, BrowserWindow, dialog, ipcMain, Menu, type MenuItemConstructorOptions } from 'electron';
import { fileURLToPath } from 'node:url';
import { bindIpc, IPC_EVENT } from '../core/carriers/ipc.ts';
import type { MenuCommand } from '../core/contract.ts';
import { Core, type Platform } from '../core/core.ts';
import { readRecent } from '../core/session/recent.ts';
import { LAB_IDS, LABS } from '../core/services/labs.ts';

let win: BrowserWindow | null = null;

const pickPath: NonNullable<Platform['pickPath']> = async (purpose, suggested) => {
  if (!win) return null;
  const sessions = [{ name: 'Kairo session', extensions: ['kairo'] }];
  if (purpose === 'session-save') {
    const r = await dialog.showSaveDialog(win, { defaultPath: suggested ?? 'session.kairo', filters: sessions });
    return r.canceled ? null : (r.filePath ?? null);
  }
  const r = await dialog.showOpenDialog(win, {
    defaultPath: suggested ?? undefined,
    properties: ['openFile'],
    filters: purpose === 'session-open' ? sessions : [{ name: 'IDX files', extensions: ['*'] }],
  });
  return r.canceled ? null : (r.filePaths[0] ?? null);
};

const core = new Core({
  platform: { carrier: 'electron', pickPath },
  jobs: { workerUrl: new URL('../core/worker.mjs', import.meta.url) },
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
      submenu: LAB_IDS.map((id, i) => ({ label: LABS[id].title, accelerator: `CmdOrCtrl+${i + 1}`, click: () => send({ showLab: id }) })),
    },
    { role: 'viewMenu' },
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
    },
  });
  // The renderer is local; any navigation or new window would be a bug or an attack.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.on('focus', buildMenu); // the recent list may have changed
  await win.loadFile(fileURLToPath(new URL('../renderer/index.html', import.meta.url)));
}

bindIpc(ipcMain, core, () => win?.webContents ?? null);
core.subscribe((e) => {
  if (e.topic === 'session.changed') buildMenu();
});

app.whenReady().then(async () => {
  buildMenu();
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

app.on('window-all-closed', () => {
  void core.shutdown().then(() => app.quit());
});
