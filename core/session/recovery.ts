// Hot exit: while a session has unsaved changes, a copy of it is written in the background to the
// user's config directory (atomically, as every session file), with a note of the file it belongs to.
// A crash, a killed host or a quit then loses nothing: the next start offers the copy back. Saving,
// opening or starting a new session removes it; while an earlier copy waits to be recovered or
// discarded, nothing overwrites it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './recent.ts';
import { writeSessionAtomic, type SessionDoc } from './session.ts';

export interface RecoveryNote {
  /** The file the unsaved session belongs to, or null for a session never saved. */
  path: string | null;
  /** When the copy was written (ISO time). */
  savedAt: string;
}

export class Recovery {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A copy from an earlier run, not yet recovered or discarded: it is kept as it is until then. */
  private waiting: RecoveryNote | null;

  constructor(
    private readonly dir = configDir(),
    /** Milliseconds between a change and the write, so a burst of edits writes once. */
    private readonly delayMs = 1000,
  ) {
    this.waiting = this.read();
  }

  get file(): string {
    return join(this.dir, 'recovery.kairo');
  }
  private get noteFile(): string {
    return join(this.dir, 'recovery.json');
  }

  /** The copy an earlier run left, if any. */
  pending(): RecoveryNote | null {
    return this.waiting;
  }

  private read(): RecoveryNote | null {
    try {
      const n = JSON.parse(readFileSync(this.noteFile, 'utf8')) as Partial<RecoveryNote>;
      if (!existsSync(this.file)) return null;
      return { path: typeof n.path === 'string' ? n.path : null, savedAt: typeof n.savedAt === 'string' ? n.savedAt : '' };
    } catch {
      return null;
    }
  }

  /** A change happened: write the copy soon if the session is dirty, remove it if not. */
  schedule(state: () => { doc: SessionDoc; path: string | null; dirty: boolean }): void {
    if (this.waiting) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writeNow(state());
    }, this.delayMs);
    this.timer.unref?.();
  }

  /** Writes (or clears) at once, e.g. on shutdown. */
  writeNow(s: { doc: SessionDoc; path: string | null; dirty: boolean }): void {
    if (this.waiting) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!s.dirty) return this.clear();
    try {
      mkdirSync(this.dir, { recursive: true });
      writeSessionAtomic(this.file, s.doc);
      const note: RecoveryNote = { path: s.path, savedAt: new Date().toISOString() };
      const tmp = `${this.noteFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(note), { mode: 0o600 });
      renameSync(tmp, this.noteFile);
    } catch {
      // A failed background copy must not disturb the session; the next change tries again.
    }
  }

  /** Removes the copy (saved, opened, new, or discarded by the user). */
  clear(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.waiting = null;
    rmSync(this.noteFile, { force: true });
    rmSync(this.file, { force: true });
  }

  /** The user chose not to keep this session's unsaved work; a copy from an earlier run still waiting for an answer stays. */
  discardCurrent(): void {
    if (this.waiting) return;
    this.clear();
  }

  /** The user took the copy back: from now on the copy follows the session again. */
  taken(): void {
    this.waiting = null;
  }
}
