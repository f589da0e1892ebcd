// The `kairo` commands of the README, at sizes that run in seconds, whose JSON must not change
// when the code behind them is reorganised (issue 14). `record` writes what the code prints now
// into test/fixtures/cli-golden.json; test/unit/cli-golden.test.ts compares against it. Record
// again only for an intended change of output, and say so in the commit.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_FILE = 'test/fixtures/cli-golden.json';

/** `{dir}` is a fresh folder per run; commands run in order and may read what earlier ones wrote. */
export const COMMANDS: string[][] = [
  'data inspect',
  'fisher theory --width 100000 --samples 100',
  'fisher theory --activation tanh --norm ln --loss ce --outputs 3 --depth 5',
  'fisher spectrum --activation relu --depth 3 --width 256 --input-dim 256 --outputs 2 --samples 100 --sigma-w2 2 --sigma-b2 0.05 --weights gaussian --norm none --loss mse --seed 1',
  'fisher spectrum --activation erf --depth 4 --width 48 --input-dim 20 --outputs 3 --samples 12 --norm bn-hidden --loss ce --weights orthogonal --eigenvalues',
  'fisher lr-sweep --factors 0.5,0.9,1.1,2 --steps 20 --width 64 --samples 30',
  'fisher sweep --axis width --values 32,64 --seeds 2 --samples 20',
  'fisher isometry --activation linear --width 32 --depths 2,4',
  'fisher isometry --activation tanh --width 64 --depths 2,6 --sigma-w2 1.05 --sigma-b2 0.01 --input-q 0.5 --seed 2 --spectrum',
  'fisher input-metric --width 64 --input-dim 40 --outputs 3 --samples 10 --loss ce --seed 2',
  'fisher signal --activation tanh --sigma-w2 2.5 --sigma-b2 0.05 --depth 5 --q0 1 --c0 0.5 --width 200 --networks 2 --seed 1',
  'ngd run --method exact --width 64 --input-dim 16 --samples 12 --test-samples 8 --steps 3',
  'ngd run --method kfac --activation tanh --data mnist01 --width 32 --samples 10 --test-samples 6 --lr 0.01 --steps 2',
  'ngd unit-fisher --activation relu --inputs 4 --bias-ratio 0.5 --samples 2000 --seed 1',
  'continual kernel --dim 6 --target-terms 10 --n1 40 --n2 20 --similarity 0.9 --noise 0.1 --draws 3 --test-points 200 --seed 1',
  'continual kernel --dim 6 --n1 40 --n2 4 --correction balanced --step auto --draws 3 --test-points 200',
  'continual kernel --dim 6 --n1 40 --n2 4 --correction replay --replay 8 --draws 3 --test-points 200',
  'continual sweep --axis step --dim 6 --n1 40 --n2 4 --steps 0.1,1 --draws 3 --test-points 200',
  'continual compare --dim 6 --n1 40 --ratios 0.1,0.5 --replays 4,40 --anchor-weights 1 --steps 0.2 --draws 3 --test-points 200',
  'continual network --dim 5 --sizes 20,20 --test-points 50 --width 64 --steps 50 --similarity 0.8 --noise 0.1',
  'continual network --dim 5 --sizes 20,20 --test-points 50 --width 64 --steps 50 --similarity 0.8 --correction anchor --anchor-weight 2',
  'continual network --dim 5 --sizes 20,20 --test-points 50 --width 64 --steps 50 --similarity 0.8 --correction ewc --ewc-weight 2',
  'field init-stats --kind gaussian --r-sigma 0.1 --s-sigma 0.02 --inputs 784 --neurons 1000 --seed 1',
  'field init-stats --kind mexican --r-sigma 0.1 --s-sigma 0.05 --m-sigma 0.2 --inputs 100 --neurons 200 --dims 1 --seed 2',
  'field train --kind gaussian --width 64 --train-size 40 --test-size 50 --steps 20 --out {dir}/field.kairo',
  'field robustness --kind gaussian --seeds 1 --width 64 --train-size 40 --test-size 50 --steps 20 --fgsm 0,0.02 --noise 0,0.1',
  'hopfield train --data toy --clusters 3 --epochs 5 --out {dir}/toy.kairo --machine-out {dir}/M.json',
  'hopfield nll --machine {dir}/M.json --points {dir}/X.json',
  'hopfield retrieve --machine {dir}/M.json --points {dir}/X.json --beta 2 --steps 5',
  'hopfield complete --machine {dir}/M.json --points {dir}/Xmissing.json',
  'hopfield train --data mnist --patterns 50 --test-patterns 20 --hidden 20 --zca --epochs 2 --out {dir}/mnist.kairo',
  'hopfield retrieve --session {dir}/mnist.kairo --index 3 --corruption occlude --level 0.4 --beta 1',
  'hopfield train --data mnist --patterns 40 --test-patterns 10 --hidden 10 --epochs 1 --out {dir}/pixels.kairo',
  'hopfield complete --session {dir}/pixels.kairo --index 2',
  'vae train --latent 2 --hidden 32 --epochs 1 --train-size 500 --seed 1 --out {dir}/vae.kairo',
  'vae recall --session {dir}/vae.kairo --samples 100 --iterations 3 --noise 0.3 --noise-kind gaussian --mode mean --seed 1',
  'vae train --data hierarchical --pattern-dim 40 --roots 2 --concepts 2 --memories 20 --bias-concept 0.4 --bias-memory 0.4 --latent 4 --hidden 16 --epochs 3 --batch 16 --seed 1 --out {dir}/h.kairo',
  'vae recall --session {dir}/h.kairo --samples 60 --iterations 3 --noise 0.1 --noise-kind bitflip --start test --seed 1',
  'vae sweep --latents 2 --noise 0,0.3 --epochs 1 --seeds 1 --train-size 300 --samples 50 --iterations 3 --level-step 2',
  'session inspect {dir}/vae.kairo',
  'session inspect {dir}/vae.kairo --manifest',
  'augment run --policy self-paced --per-class 5 --epochs 2 --seeds 2 --test-count 100 --probe 10 --probe-draws 2 --arch mlp',
  'augment compare --policy none,conventional,rand --per-class 3,6 --epochs 1 --seeds 1 --test-count 100 --probe 5 --probe-draws 2 --augment shift,erase',
  'curvature --network fresh --width 32 --input-dim 16 --samples 12 --top 2 --trace --density --probes 3 --lanczos-steps 12',
  'curvature --import test/fixtures/curvature/cnn.safetensors --layers test/fixtures/curvature/cnn.json --idx-images test/fixtures/curvature/images.idx --idx-labels test/fixtures/curvature/labels.idx --samples 8 --matrix hessian --top 2',
  'curvature track --width 8 --samples 40 --steps 10 --track-every 5 --lr 0.02 --trace',
].map((c) => c.split(' '));

/** Inputs of the hopfield point commands: written before the commands run. */
export function writeInputs(dir: string): void {
  writeFileSync(
    join(dir, 'X.json'),
    JSON.stringify([
      [0.5, -0.2],
      [1.5, 1],
      [-1, 0.3],
    ]),
  );
  writeFileSync(
    join(dir, 'Xmissing.json'),
    JSON.stringify([
      [0.5, null],
      [null, 1],
    ]),
  );
}

/** Wall times differ from run to run; paths differ by folder. Everything else must be equal. */
export function normalise(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value.split(dir).join('{dir}');
  if (Array.isArray(value)) return value.map((v) => normalise(v, dir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(
          ([k]) =>
            !/^(seconds|train_seconds|gd_seconds|track_seconds|saved_at|savedAt|startedAt|finishedAt|elapsed|wall.*)$/.test(k),
        )
        .map(([k, v]) => [k, normalise(v, dir)]),
    );
  }
  return value;
}

export interface GoldenRun {
  args: string[];
  status: number;
  json: unknown;
}

/**
 * The commands as chains: one that writes a file under {dir} (--out, --machine-out) and those that
 * read it run in order in one chain; chains are independent of each other.
 */
export function chains(commands: string[][]): number[][] {
  const writerChain = new Map<string, number>();
  const out: number[][] = [];
  commands.forEach((cmd, i) => {
    const files = cmd.filter((a) => a.includes('{dir}'));
    const reads = cmd.filter((a, k) => a.includes('{dir}') && !['--out', '--machine-out'].includes(cmd[k - 1] ?? ''));
    const joined = reads.map((f) => writerChain.get(f)).find((c) => c !== undefined);
    const chain = joined ?? out.push([]) - 1;
    out[chain]!.push(i);
    for (const f of files) if (!writerChain.has(f)) writerChain.set(f, chain);
  });
  return out;
}

function runOne(cmd: string[], dir: string, env: NodeJS.ProcessEnv): Promise<GoldenRun> {
  const args = cmd.map((a) => a.replace('{dir}', dir));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/kairo.mjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = { unparsable: stdout.slice(0, 200), stderr: stderr.slice(-300) };
      }
      resolve({ args: cmd, status: status ?? -1, json: normalise(json, dir) });
    });
  });
}

/**
 * Every command, in as many parallel lanes as the machine has cores (each command is mostly its
 * own start-up and a short job): the independent chains share the lanes, a chain runs in order.
 * Results come back in the list's order.
 */
export async function runAll(dir: string, env: NodeJS.ProcessEnv, lanes = availableParallelism()): Promise<GoldenRun[]> {
  writeInputs(dir);
  const results: GoldenRun[] = new Array(COMMANDS.length);
  const todo = chains(COMMANDS);
  const lane = async () => {
    for (let c = todo.shift(); c; c = todo.shift()) for (const i of c) results[i] = await runOne(COMMANDS[i]!, dir, env);
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return results;
}

if (process.argv[2] === 'record') {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'kairo-golden-'));
  const runs = await runAll(dir, { ...process.env, KAIRO_HOME: dir });
  const bad = runs.filter((r) => r.status !== 0);
  if (bad.length) {
    console.error(JSON.stringify(bad, null, 1).slice(0, 2000));
    process.exit(1);
  }
  writeFileSync(GOLDEN_FILE, `${JSON.stringify(runs)}\n`);
  console.log(`${runs.length} commands recorded in ${GOLDEN_FILE}`);
}
