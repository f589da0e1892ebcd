// Which files the renderer may make the core read or write. The CLI names its own files and
// has no policy. The browser host confines every path to a workspace folder (a page could
// otherwise save `*.kairo` anywhere, or probe any file through error messages); the desktop app
// accepts only paths the user chose in a native dialog or confirmed there, so a compromised
// renderer cannot name files of its own.
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { KairoError } from './errors.ts';

export type PathUse = 'session-read' | 'session-write' | 'data-read';

export interface PathPolicy {
  /** Throws KairoError('unauthorized') with one line when `path` may not be used so. */
  check(path: string, use: PathUse): void;
  /** The user chose or confirmed `path` (native dialog); later checks pass. */
  grant(path: string): void;
  isGranted(path: string): boolean;
}

/** The real path, resolving symbolic links of the longest existing prefix (the file itself may not exist yet). */
function real(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(head.slice(up.length).replace(/^[/\\]/, ''));
    head = up;
  }
  try {
    return join(realpathSync(head), ...tail);
  } catch {
    return resolve(p);
  }
}

/** KAIRO_WORKSPACE, else ~/Documents where it exists, else the home folder. */
export function defaultWorkspace(): string {
  if (process.env.KAIRO_WORKSPACE) return resolve(process.env.KAIRO_WORKSPACE);
  const docs = join(homedir(), 'Documents');
  return existsSync(docs) ? docs : homedir();
}

/** Every path must lie inside `root` once symbolic links are resolved. */
export function workspacePolicy(root: string): PathPolicy {
  const base = real(root);
  const inside = (p: string) => {
    const r = real(p);
    return r === base || r.startsWith(base.endsWith(sep) ? base : base + sep);
  };
  return {
    check(path, use) {
      if (!inside(path))
        throw new KairoError(
          'unauthorized',
          `${path}: outside the workspace ${base}; the browser host ${use === 'session-write' ? 'saves' : 'reads'} files there only (kairo serve --workspace DIR)`,
        );
    },
    grant() {},
    isGranted: inside,
  };
}

/** Only paths granted by the main process (native dialogs, confirmations, the recent list). */
export function grantPolicy(initial: Iterable<string> = []): PathPolicy {
  const granted = new Set([...initial].map((p) => real(p)));
  return {
    check(path, use) {
      if (!granted.has(real(path))) {
        throw new KairoError(
          'unauthorized',
          `${path}: not chosen in a file dialog; ${use === 'data-read' ? 'open it from the Datasets lab, or allow it when the session asks' : 'use Open… or Save As…'}`,
        );
      }
    },
    grant(path) {
      granted.add(real(path));
    },
    isGranted: (p) => granted.has(real(p)),
  };
}

/** The IDX files any `{kind: 'idx', …}` source inside a value names (a lab state, job parameters). */
export function idxPaths(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 12) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (o.kind === 'idx')
      for (const k of ['trainImages', 'trainLabels', 'testImages', 'testLabels'])
        if (typeof o[k] === 'string' && o[k]) out.add(o[k] as string);
    // An imported network's two files (the curvature lab) are data files too.
    if (o.kind === 'pytorch')
      for (const k of ['weights', 'layers']) if (typeof o[k] === 'string' && o[k]) out.add(o[k] as string);
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(value, 0);
  return [...out];
}
