// One fuzz worker: makes case i from the seed, writes it, loads it as kairo does, and reports
// the outcome. Cases are reproducible from (seed, i) alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { readIdxPair } from '../../core/data/idx.ts';
import { KairoError } from '../../core/errors.ts';
import { readSession } from '../../core/session/session.ts';
import { LAB_COMMANDS } from '../../core/cli/commands.ts';
import { collect } from '../../core/labs/sweep/runner.ts';
import { SweepRuns, validateSpec } from '../../core/labs/sweep/spec.ts';
import { mulberry32, mutateBytes, mutateSafetensorsHeader, mutateSemantic, mutateSweep } from './mutate.ts';

const o = workerData as {
  cases: number;
  seed: number;
  dir: string;
  base: { session: string; images: string; labels: string };
  from: number;
  total: number;
};
const session = readFileSync(o.base.session);
const images = readFileSync(o.base.images);
const labels = readFileSync(o.base.labels);

const baseDoc = readSession(o.base.session);
const same = (a: ReturnType<typeof readSession>) =>
  JSON.stringify(a.labs) === JSON.stringify(baseDoc.labs) &&
  Object.keys(a.tensors).sort().join() === Object.keys(baseDoc.tensors).sort().join() &&
  Object.entries(a.tensors).every(([n, t]) =>
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(
      Buffer.from(baseDoc.tensors[n]!.data.buffer, baseDoc.tensors[n]!.data.byteOffset, baseDoc.tensors[n]!.data.byteLength),
    ),
  );

/** `load` returns null when what it loaded is right, else what is wrong with it. */
function check(kind: string, i: number, load: () => string | null): void {
  try {
    const wrong = load();
    parentPort!.postMessage(wrong ? { i, kind, outcome: 'failed', what: wrong } : { i, kind, outcome: 'loaded' });
  } catch (e) {
    const ok = e instanceof KairoError && e.message.length > 0 && !e.message.includes('\n') && !/\bat .+:\d+:\d+/.test(e.message);
    parentPort!.postMessage({
      i,
      kind,
      outcome: ok ? 'refused' : 'failed',
      what: ok ? undefined : `${(e as Error)?.name}: ${String((e as Error)?.message ?? e).split('\n')[0]}`,
    });
  }
}

parentPort!.postMessage({ ready: true });
for (let i = o.from; i < o.total; i++) {
  const r = mulberry32((o.seed * 1_000_003 + i) >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  if (i < o.cases) {
    const buf = r() < 0.5 ? mutateSafetensorsHeader(session, r) : mutateBytes(session, r);
    const f = join(o.dir, `case-${i}.kairo`);
    writeFileSync(f, buf);
    // Checksums cover every byte that matters: a session that loads must be the original.
    check('session', i, () => (same(readSession(f)) ? null : 'a damaged session loaded with different content'));
  } else if (i >= 2 * o.cases && i < 3 * o.cases) {
    const m = mutateSemantic(session, r);
    const f = join(o.dir, `case-${i}.kairo`);
    writeFileSync(f, m.buf);
    check('semantic', i, () => {
      const d = readSession(f);
      if (m.mustRefuse) return `loaded a re-signed session with ${m.what}`;
      // What loads must be what the file says: saved again, it reads back the same.
      return JSON.stringify(d.labs.vae.result?.steps[0]) === JSON.stringify(baseDoc.labs.vae.result?.steps[0])
        ? 'the edited value did not load'
        : null;
    });
  } else if (i >= 3 * o.cases) {
    const m = mutateSweep(r);
    const dir = join(o.dir, `sweep-${i}`);
    mkdirSync(dir, { recursive: true });
    const manifest = join(dir, 'sweep.json');
    // Now and then the manifest or a record is a special file: a FIFO (which froze collect for
    // good), /dev/zero (which aborted it) or a folder.
    const special = r();
    if (special < 0.1) execFileSync('mkfifo', [manifest]);
    else if (special < 0.2) symlinkSync('/dev/zero', manifest);
    else if (special < 0.25) mkdirSync(manifest);
    else if (special < 0.5) {
      // A valid folder, so that its records are read: the record files get the damage.
      const spec = validateSpec(m.good, LAB_COMMANDS);
      const runs = [...new SweepRuns(spec)];
      writeFileSync(
        manifest,
        JSON.stringify({ format: 'kairo-sweep', spec, count: runs.length, hashes: runs.map((x) => x.hash) }),
      );
      writeFileSync(
        join(dir, '1.json'),
        mutateBytes(Buffer.from(JSON.stringify({ hash: runs[1]!.hash, seconds: 1, result: {} })), r),
      );
    } else writeFileSync(manifest, JSON.stringify(m.manifest));
    if (r() < 0.2) symlinkSync(pick(['/dev/zero', '/dev/null', dir]), join(dir, '0.json'));
    check('sweep', i, () => {
      // A spec is valid only below the run cap; the runs of a valid spec are counted, not built.
      const spec = validateSpec(m.spec, LAB_COMMANDS);
      const runs = new SweepRuns(spec);
      if (runs.count > 100_000 || runs.at(runs.count - 1).index !== runs.count - 1)
        return `${m.what}: ${runs.count} runs accepted`;
      return null;
    });
    check('sweep', i, () => {
      const c = collect(dir, LAB_COMMANDS);
      return c.runs.length + c.missing.length + c.failed.length === c.spec.grid!.width!.length * c.spec.grid!.depth!.length
        ? null
        : 'collect lost a run';
    });
  } else {
    const which = r() < 0.6 ? 'images' : 'labels';
    let img: Buffer = images;
    let lab: Buffer = labels;
    if (which === 'images') img = mutateBytes(images, r);
    else lab = mutateBytes(labels, r);
    if (r() < 0.3) {
      img = gzipSync(img);
      if (r() < 0.5) img = mutateBytes(img, r);
    }
    const fi = join(o.dir, `case-${i}-images`);
    const fl = join(o.dir, `case-${i}-labels`);
    writeFileSync(fi, img);
    writeFileSync(fl, lab);
    // A damaged byte inside the pixel or label data is still a valid IDX pair; its shape must be the header's.
    check('idx', i, () => {
      const d = readIdxPair(fi, fl);
      return d.images.length === d.count * d.shape[0]! * d.shape[1]! &&
        d.labels.length === d.count &&
        d.classCounts.reduce((a, b) => a + b, 0) === d.count
        ? null
        : 'loaded an inconsistent pair';
    });
  }
}
