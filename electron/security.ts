// The desktop window's security rules as plain data and functions, so they are tested without
// Electron: the Content-Security-Policy its pages get, which kairo:// URLs map to which files,
// and the View menu (no DevTools in a packaged app).
import type { MenuItemConstructorOptions } from 'electron';
import { join, normalize, sep } from 'node:path';

/**
 * Sent as a header with every kairo:// response. It adds to the page's own meta policy (a page
 * obeys both): the desktop app talks to the core over IPC, so it allows no WebSocket (the meta
 * policy's ws: source is the browser host's), and nothing may load plugins, rebase URLs or post forms.
 */
export const DESKTOP_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The renderer file a kairo:// URL names, or null: another host, a path outside the renderer
 * folder, or a malformed escape (`kairo://app/%`, which made the handler throw).
 */
export function rendererFile(rawUrl: string, rendererDir: string): string | null {
  let url: URL;
  let path: string;
  try {
    url = new URL(rawUrl);
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (url.host !== 'app' || path.includes('\0')) return null;
  const root = rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep;
  const file = join(root, normalize(path).replace(/^([/\\])+/, '') || 'index.html');
  return file.startsWith(root) ? file : null;
}

/** The View menu: zoom and full screen; reload and DevTools only while developing (not packaged). */
export function viewMenu(packaged: boolean): MenuItemConstructorOptions {
  const dev: MenuItemConstructorOptions[] = packaged
    ? []
    : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }];
  return {
    label: 'View',
    submenu: [
      ...dev,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
}
