// `npm run bench [-- --quick]`: Kairo's compute engine beside PyTorch / numpy / scipy on the
// same machine, in one table. Medians of several timed blocks; thread counts stated. Other
// work on the machine skews both sides alike only if they run close together, so each peer
// workload runs right after Kairo's (bench/reference.py --serve, one process for the run).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { initBackend } from '../core/backend.ts';
import * as continual from './continual.ts';
import * as curvature from './curvature.ts';
import * as w from './workloads.ts';
import { NGD_METHODS } from '../models/ngd/methods.ts';
import { describePeerBlas, type PeerBlas } from './blas.ts';
import { float32Rows } from './float32.ts';

const quick = process.argv.includes('--quick');
const blocks = quick ? 5 : 7;
const steps = quick ? 10 : 20;
const backend = await initBackend();

type Peer = { rate?: number; seconds?: number; unit?: string; threads?: number; peer: string };
/** `plain`: the same row without fused multiply-add (KAIRO_FMA=off), where this runtime has it. */
type Row = { name: string; kairo: number; unit: string; higherIsBetter: boolean; peer: Peer | null; plain?: number | null };

const python = ['/usr/bin/python3', 'python3'].find((p) => p === 'python3' || existsSync(p))!;
const env = { ...process.env };
// Old-OpenBLAS workarounds slow current numpy; unset them for the peer alone.
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const child = spawn(python, ['bench/reference.py', '--serve', ...(quick ? ['--quick'] : [])], {
  env,
  stdio: ['pipe', 'pipe', 'pipe'],
});
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
child.on('error', (e) => (stderr += e.message));
const nextLine = async (): Promise<string | null> => {
  const r = await lines.next();
  return r.done ? null : r.value;
};
let peerNames: string[] = [];
let peerBlas: PeerBlas | null = null;
try {
  const hello = JSON.parse((await nextLine()) ?? 'null') as { workloads: string[]; blas?: PeerBlas };
  peerNames = hello.workloads;
  peerBlas = hello.blas ?? null;
} catch {
  process.stderr.write(`  no peer figures: ${(stderr || 'python3 unavailable').split('\n').filter(Boolean).at(-1)}\n`);
}
const peer = async (name: string): Promise<Peer | null> => {
  if (!peerNames.includes(name)) return null;
  child.stdin.write(`${name}\n`);
  return JSON.parse((await nextLine()) ?? 'null') as Peer | null;
};

// Where the runtime has FMA, the float32 rows once more without it, in a child measured row by row
// right after this process (bench/float32.ts --serve).
const plainChild = backend.fma
  ? spawn(process.execPath, [...process.execArgv, 'bench/float32.ts', '--serve', ...(quick ? ['--quick'] : [])], {
      env: { ...process.env, KAIRO_FMA: 'off' },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
  : null;
const plainLines = plainChild ? createInterface({ input: plainChild.stdout! })[Symbol.asyncIterator]() : null;
const plainHello = plainLines ? JSON.parse(((await plainLines.next()).value as string) ?? 'null') : null;
if (plainChild && plainHello?.fma !== false) throw new Error('bench: the KAIRO_FMA=off child did not start on the plain kernels');
const withoutFma = async (name: string): Promise<number | null> => {
  if (!plainChild || !plainLines) return null;
  plainChild.stdin!.write(`${name}\n`);
  return JSON.parse(((await plainLines.next()).value as string) ?? 'null') as number | null;
};

const rows: Row[] = [];
const measure = async (name: string, unit: string, higherIsBetter: boolean, f: () => number | Promise<number>) => {
  process.stderr.write(`  ${name}…\n`);
  const kairo = await f();
  rows.push({ name, kairo, unit, higherIsBetter, peer: await peer(name) });
};
const secs = (name: string, f: () => number | Promise<number>) => measure(name, 's', false, f);

process.stderr.write(
  `Kairo (${backend.name}, ${backend.threads} threads${backend.simd ? ', SIMD' : ''}${backend.fma ? ', FMA' : ''}, Node ${process.versions.node}) and peers (${python} bench/reference.py):\n`,
);
if (!backend.fma)
  process.stderr.write(
    `  one kernel path: ${
      backend.tried
        .find((t) => t.ok)
        ?.reason.split(', ')
        .at(-1) ?? 'no FMA'
    }; \`npm run bench:fma\` adds the column\n`,
  );
// The peer's BLAS decides every ratio: name it, and say loudly when it is not a fair comparison.
const blasNote = peerBlas ? describePeerBlas(peerBlas) : null;
if (blasNote) process.stderr.write(`  ${blasNote.line}\n${blasNote.warning ? `\n  ${blasNote.warning}\n\n` : ''}`);
for (const [name, m] of float32Rows(blocks, steps, quick)) {
  await measure(name, m.unit, m.higherIsBetter, m.run);
  if (plainChild) {
    process.stderr.write(`  ${name}, KAIRO_FMA=off…\n`);
    rows.at(-1)!.plain = await withoutFma(name);
  }
}
plainChild?.stdin!.end();
for (const n of quick ? [500, 1000] : [500, 1000, 2000]) await secs(`eigh ${n}`, () => w.eighSeconds(n, 3));
await secs('lanczos top-10 2000', () => w.lanczosSeconds(2000, 3));
await secs('NTK Gram 1000 rows', () => w.ntkGramSeconds(3));
for (const n of quick ? [500, 1000] : [500, 1000, 2000])
  await secs(`Fisher spectrum TC=${n}`, () => w.fisherSpectrumSeconds(n, quick ? 1 : 3));
await secs('exact NGD step 784-4096-4096-1, N=100', () => w.ngdStepSeconds('exact', 4096, quick ? 1 : 3));
for (const width of [1024, 4096])
  for (const m of NGD_METHODS)
    await secs(`${m} step, width ${width}`, () => w.ngdStepSeconds(m, width, width > 1024 || quick ? 1 : 3));
await secs('continual self-knowledge curve (10 N₂/N₁, 30 draws)', () => continual.selfKnowledgeCurveSeconds(1));
await secs('continual corrections compared (10 N₂/N₁ × 15 settings × 2 σ, 30 draws)', () =>
  continual.correctionsCompareSeconds(1),
);
for (const m of ['ggn', 'hessian'] as const)
  await secs(`curvature ${m} λ_max, MLP 784-128-10, N=1000, 20 Lanczos`, () => curvature.curvatureSeconds(m, quick ? 1 : 3));
await secs('curvature ggn λ_max, VAE 784-400-20, N=1000, 20 Lanczos', () => curvature.curvatureVaeSeconds(1));
await secs('curvature ggn λ_max, augmentation CNN 16-32, N=1000, 20 Lanczos', () => curvature.curvatureCnnSeconds(1));
child.stdin.end();

const fmt = (v: number, unit: string) =>
  unit === 's' ? `${v.toFixed(3)} s` : `${v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1)} ${unit}`;
const fmaColumns = backend.fma ? ['without FMA', 'FMA gain'] : [];
const table = [
  ['workload', `Kairo (${backend.name}, ${backend.threads} thr)`, ...fmaColumns, 'peer', 'peer figure', 'Kairo ÷ peer speed'],
];
for (const r of rows) {
  const p = r.peer;
  const peerValue = p ? (r.higherIsBetter ? p.rate! : p.seconds!) : null;
  const ratio = peerValue === null ? 'n/a' : (r.higherIsBetter ? r.kairo / peerValue : peerValue / r.kairo).toFixed(2);
  table.push([
    r.name,
    fmt(r.kairo, r.unit),
    ...(backend.fma
      ? typeof r.plain === 'number'
        ? [fmt(r.plain, r.unit), (r.higherIsBetter ? r.kairo / r.plain : r.plain / r.kairo).toFixed(2)]
        : ['', '']
      : []),
    p ? `${p.peer}${p.threads ? `, ${p.threads} thr` : ''}` : 'n/a',
    peerValue === null ? 'n/a' : fmt(peerValue, r.unit),
    ratio,
  ]);
}
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  if (i === 0) console.log(widths.map((n) => '-'.repeat(n)).join('  '));
}
console.log(
  `\nNode ${process.versions.node}; float32 kernels ${backend.fma ? 'with fused multiply-add; "without FMA" is the same row in a KAIRO_FMA=off child, measured right after' : 'without fused multiply-add (this runtime has no relaxed SIMD)'}.` +
    `\nMedians of ${blocks} blocks (eigensolver and Lanczos: 3). NTK Gram: structured float64 layer-wise build, no peer.` +
    `\nFisher spectrum: ReLU MLP 256-256-256-10, build of the TC × TC dual plus every eigenvalue (Eigen's symmetric QR in WebAssembly);` +
    `\nthe eigensolver alone is the "eigh" rows beside numpy's eigvalsh.` +
    `\nNGD steps: ReLU MLP 784-M-M-1, NTK parameterisation, N = 100, float64, damping 0; the peer runs the same dual step` +
    `\n(layer-wise Gram from one backward pass, Cholesky solve, one backward pass with the solution as cotangent) in float64.` +
    `\nContinual self-knowledge curve: N₁ = 500, N₂ = 25 … 1,000, 30 draws, d = 10, ReLU NTK, 1,000 test points; one` +
    `\nfactorisation of each stage per draw serves every N₂ (leading blocks of one Cholesky factor).` +
    `\nCorrections compared: \`kairo continual compare\` at its defaults (N₁ = 500, N₂ = 5 … 500, 15 settings, σ = 0.005 and 0);` +
    `\none factor per correction family and draw serves every N₂, and the noise levels share it.`,
);
// Under the table too, where a reader copying the figures will see it.
if (blasNote) console.log(`\n${blasNote.line}${blasNote.warning ? `\n${blasNote.warning}` : ''}`);
process.exit(0);
