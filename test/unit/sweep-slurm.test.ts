// A sweep through a real one-node Slurm (test/cluster/slurm.ts): the script `kairo sweep slurm`
// writes is submitted with sbatch as an array; the collected results equal `kairo sweep local`'s
// and direct `kairo` calls'. Also the timing cost `kairo sweep run` adds over the command itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { slurmUnavailable, startSlurm, type Slurm } from '../cluster/slurm.ts';
import { tempDir } from '../helpers.ts';

let cluster: Slurm | null = null;
after(() => cluster?.stop());
const kairo = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ['bin/kairo.mjs', ...args], { encoding: 'utf8', env: { ...env, KAIRO_HOME: tempDir() } });

// Off Linux there is no Slurm to start; the release workflow's macOS and Windows jobs say so by
// name (KAIRO_TEST_NO_SLURM) and its Linux job runs this test. Anywhere else a missing cluster fails.
const optOut = process.env.KAIRO_TEST_NO_SLURM;
test(
  'a Slurm job array runs the sweep; its results equal sweep local and direct calls',
  { skip: optOut ? `no Slurm: ${optOut}` : false },
  async (t) => {
    const why = slurmUnavailable();
    assert.equal(why, null, `no test cluster here: ${why}`);
    const d = tempDir();
    cluster = await startSlurm(join(d, 'slurm'));
    const spec = join(d, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        command: ['fisher', 'theory'],
        fixed: { samples: 50, outputs: 2 },
        grid: { width: [100, 10000], depth: [2, 4] },
      }),
    );
    const out = join(d, 'array');
    const w = kairo(['sweep', 'slurm', spec, '--out', out, '--max-parallel', '2', '--cpus-per-task', '1']);
    assert.equal(w.status, 0, w.stderr);
    const script = readFileSync(JSON.parse(w.stdout).script, 'utf8');
    assert.match(script, /^#SBATCH --array=0-3%2$/m);
    const sb = spawnSync('/usr/bin/sbatch', ['--parsable', join(out, 'sweep.sbatch')], { env: cluster.env, encoding: 'utf8' });
    assert.equal(sb.status, 0, `sbatch: ${sb.stderr}`);
    const job = sb.stdout.trim();
    // Until the array leaves the queue (sbatch --wait polls with growing pauses).
    const t0 = Date.now();
    while (spawnSync('/usr/bin/squeue', ['-h', '-j', job], { env: cluster.env, encoding: 'utf8' }).stdout.trim() !== '') {
      assert.ok(Date.now() - t0 < 180_000, 'the array did not finish in 3 minutes');
      await new Promise((r) => setTimeout(r, 300));
    }
    t.diagnostic(
      `Slurm job ${job}: ${readdirSync(join(out, 'logs')).length} array tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const viaSlurm = JSON.parse(kairo(['sweep', 'collect', out]).stdout);
    assert.deepEqual(
      [viaSlurm.runs.length, viaSlurm.missing, viaSlurm.failed],
      [4, [], []],
      readdirSync(join(out, 'logs'))
        .map((f) => readFileSync(join(out, 'logs', f), 'utf8'))
        .join('\n'),
    );
    // Each task ran on the cluster: its record says so.
    for (let i = 0; i < 4; i++) assert.ok(JSON.parse(readFileSync(join(out, `${i}.json`), 'utf8')).seconds > 0);

    const local = join(d, 'local');
    const l = kairo(['sweep', 'local', spec, '--out', local, '--workers', '2']);
    assert.equal(l.status, 0, l.stderr);
    const viaLocal = JSON.parse(kairo(['sweep', 'collect', local]).stdout);
    assert.deepEqual(viaLocal.runs, viaSlurm.runs);
    const direct = kairo(['fisher', 'theory', '--samples', '50', '--outputs', '2', '--width', '10000', '--depth', '4']);
    assert.deepEqual(viaSlurm.runs[3].result, JSON.parse(direct.stdout));
    assert.deepEqual(viaSlurm.runs[3].params, { samples: 50, outputs: 2, width: 10000, depth: 4 });
    cluster.stop();
    cluster = null;
  },
);
