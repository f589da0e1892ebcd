// Reading a file a user (or a session file) names: regular files only, opened without blocking
// (a FIFO or device would otherwise hang the core, and in Electron the main process) and
// checked again on the open descriptor, within a size limit. Errors name the file and the
// reason, never its contents.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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

export function readRegularFile(path: string, limit = maxFileBytes()): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? 'cannot open');
    throw new KairoError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${path}: cannot read (${why})`);
  }
  try {
    const st = fstatSync(fd);
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
