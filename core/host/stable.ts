// What makes the browser host's address stable across starts, so a reload or a bookmark keeps
// working: a default port (the next free one when it is taken) and a token kept in the user's
// configuration directory, readable by its owner only.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../session/recent.ts';
import type { Host, HostOptions } from './server.ts';
import { startHost } from './server.ts';

/** The port `kairo serve` tries first; the next ones follow when it is taken. */
export const DEFAULT_PORT = 5199;
const TRIES = 20;

/** The host token from the config directory, created (owner-only) on first use. */
export function hostToken(dir = configDir()): string {
  const file = join(dir, 'host-token');
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) return t;
  } catch {
    // none yet, or unreadable: make one
  }
  mkdirSync(dir, { recursive: true });
  const t = randomBytes(24).toString('base64url');
  writeFileSync(file, `${t}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return t;
}

/** Starts the host on `first`, else the next free port of the following TRIES − 1. */
export async function startStableHost(opts: Omit<HostOptions, 'port' | 'token'> & { first?: number }): Promise<Host> {
  const first = opts.first ?? DEFAULT_PORT;
  let last: unknown;
  for (let port = first; port < first + TRIES; port++) {
    try {
      return await startHost({ ...opts, port, token: hostToken() });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      last = e;
    }
  }
  throw new Error(`ports ${first}–${first + TRIES - 1} are all taken (${String((last as Error)?.message)}): give --port N`);
}
