// Reading a file a user (or a session file) names: regular files only, opened without blocking
// (a FIFO or device would otherwise hang the core, and in Electron the main process) and
// checked again on the open descriptor, within a size limit. Errors name the file and the
// reason, never its contents.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { KairoError } from './errors.ts';

const MB = 1024 * 1024;

/** The most bytes Kairo reads from one data or session file: KAIRO_MAX_FILE_MB, default 2048. */
export function maxFileBytes(): number {
  const v = Number(process.env.KAIRO_MAX_FILE_MB);
  return (Number.isFinite(v) && v > 0 ? v : 2048) * MB;
}

const KINDS: [string, (s: import('node:fs').Stats) => boolean][] = [
  ['a directory', (s) => s.isDirectory()],
  ['a named pipe (FIFO)', (s) => s.isFIFO()],
  ['a character device', (s) => s.isCharacterDevice()],
  ['a block device', (s) => s.isBlockDevice()],
  ['a socket', (s) => s.isSocket()],
];

function openError(path: string, e: unknown): KairoError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : (code ?? 'cannot open');
  return new KairoError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${path}: cannot read (${why})`);
}

/** The descriptor's file must be a regular file within the limit. */
function checkStat(path: string, st: Stats, limit: number): void {
  if (!st.isFile()) {
    const kind = KINDS.find(([, is]) => is(st))?.[0] ?? 'not a regular file';
    throw new KairoError('invalid_input', `${path}: cannot read (${kind}; Kairo reads regular files only)`);
  }
  if (st.size > limit) {
    throw new KairoError(
      'invalid_input',
      `${path}: cannot read (${(st.size / MB).toFixed(0)} MB; the limit is ${(limit / MB).toFixed(0)} MB, set KAIRO_MAX_FILE_MB to change it)`,
    );
  }
}

/**
 * The first `n` bytes of a regular file and its size, by the same rules as readRegularFile but
 * without blocking the thread: for checks that must answer quickly on the thread that serves
 * the UI (is this an IDX file?) and leave the full read to a job's worker.
 */
export async function peekRegularFile(path: string, n: number, limit = maxFileBytes()): Promise<{ head: Buffer; size: number }> {
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = await fh.stat();
    checkStat(path, st, limit);
    const head = Buffer.alloc(Math.min(n, st.size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size: st.size };
  } finally {
    await fh.close();
  }
}

export function readRegularFile(path: string, limit = maxFileBytes()): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = fstatSync(fd);
    checkStat(path, st, limit);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    // A file that shrank while being read is refused rather than parsed half.
    if (off !== st.size) throw new KairoError('invalid_input', `${path}: cannot read (it changed while being read)`);
    return buf;
  } finally {
    closeSync(fd);
  }
}
