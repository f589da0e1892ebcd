// Kairo keeps its own recent-files list: Linux desktops have no OS-level one Electron can use.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const MAX = 10;

export function configDir(): string {
  if (process.env.KAIRO_HOME) return process.env.KAIRO_HOME;
  const xdg = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(xdg, 'kairo');
}

const file = () => join(configDir(), 'recent.json');

export function readRecent(): string[] {
  try {
    const v = JSON.parse(readFileSync(file(), 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string').slice(0, MAX) : [];
  } catch {
    return []; // a missing or damaged list is simply empty: it only saves the user typing
  }
}

export function addRecent(path: string): string[] {
  const abs = resolve(path);
  const list = [abs, ...readRecent().filter((p) => p !== abs)].slice(0, MAX);
  mkdirSync(configDir(), { recursive: true });
  const tmp = `${file()}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2));
  renameSync(tmp, file());
  return list;
}
