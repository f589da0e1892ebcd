// The desktop window's rules (electron/security.ts), without Electron: its CSP, the kairo:// URL
// to file mapping (never throwing, never leaving the renderer folder), and the View menu.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DESKTOP_CSP, rendererFile, viewMenu } from '../../electron/security.ts';

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!, d.slice(1)]),
  );

test('the desktop CSP allows no WebSocket and no plugins, base URLs or forms; the page policy forbids the last three too', () => {
  const d = directives(DESKTOP_CSP);
  assert.deepEqual(d.get('connect-src'), ["'self'"]);
  for (const k of ['object-src', 'base-uri', 'form-action']) assert.deepEqual(d.get(k), ["'none'"], k);
  assert.ok(!DESKTOP_CSP.includes('ws:'));
  const meta = /Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync('renderer/index.html', 'utf8'))![1]!;
  const m = directives(meta);
  for (const k of ['object-src', 'base-uri', 'form-action']) assert.deepEqual(m.get(k), ["'none'"], k);
});

test('kairo:// URLs map into the renderer folder only, and malformed ones are refused without throwing', () => {
  const dir = '/opt/kairo/renderer';
  assert.equal(rendererFile('kairo://app/', dir), join(dir, 'index.html'));
  assert.equal(rendererFile('kairo://app/assets/a.js', dir), join(dir, 'assets/a.js'));
  for (const bad of ['kairo://app/%', 'kairo://app/%E0%A4%A', 'kairo://other/index.html', 'kairo://app/a%00b', 'not a url'])
    assert.equal(rendererFile(bad, dir), null, bad);
  // Escaped climbs are resolved against the folder's root and stay inside it.
  assert.equal(rendererFile('kairo://app/..%2F..%2Fetc%2Fpasswd', dir), join(dir, 'etc/passwd'));
  assert.equal(rendererFile('kairo://app/%2e%2e/%2e%2e/secret', dir), join(dir, 'secret'));
});

test('a packaged app has no DevTools or reload in its View menu', () => {
  const roles = (packaged: boolean) =>
    (viewMenu(packaged).submenu as { role?: string }[]).map((i) => i.role).filter((r) => r !== undefined);
  assert.ok(!roles(true).includes('toggleDevTools'));
  assert.ok(!roles(true).includes('reload'));
  assert.ok(roles(false).includes('toggleDevTools'));
  const main = readFileSync('electron/main.ts', 'utf8');
  assert.match(main, /viewMenu\(app\.isPackaged\)/);
  assert.match(main, /devTools: !app\.isPackaged/);
  for (const e of ['will-navigate', 'will-frame-navigate', 'will-redirect'])
    assert.match(main, new RegExp(`'${e}', \\(e\\) => e\\.preventDefault\\(\\)`));
});
