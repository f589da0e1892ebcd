// A one-node Slurm cluster for tests, from Debian's slurm-wlm and munge (.ci/run installs them):
// munged with a fresh key, slurmctld and slurmd on 127.0.0.1 from a minimal slurm.conf, all
// under one temporary folder, as root. Starts in a few seconds; stop() takes it all down.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface Slurm {
  env: NodeJS.ProcessEnv;
  stop(): void;
}

const BINARIES = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/sinfo'];

/** Why a cluster cannot start here, or null. */
export function slurmUnavailable(): string | null {
  const missing = BINARIES.filter((b) => !existsSync(b));
  if (missing.length) return `missing ${missing.join(', ')} (apt-get install slurm-wlm munge, as .ci/run does)`;
  if (process.getuid?.() !== 0) return 'the test cluster runs its daemons as root';
  return null;
}

export async function startSlurm(dir: string): Promise<Slurm> {
  for (const d of ['munge', 'state', 'spool', 'log', 'run']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(dir, 'munge', 'munge.socket');
  execFileSync('/usr/sbin/munged', [
    `--key-file=${key}`,
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
    `--log-file=${join(dir, 'munge', 'munged.log')}`,
    `--seed-file=${join(dir, 'munge', 'seed')}`,
    '--force',
  ]);
  const host = hostname().split('.')[0]!;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=kairotest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'run', 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'run', 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/builtin',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
      'PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  // Pids read once they exist, so stop() works even after the folder is gone.
  const pids: number[] = [];
  const readPids = () => {
    for (const f of ['run/slurmd.pid', 'run/slurmctld.pid', 'munge/munged.pid']) {
      try {
        pids.push(Number(readFileSync(join(dir, f), 'utf8').trim()));
      } catch {
        // not started
      }
    }
  };
  const stop = () => {
    if (!pids.length) readPids();
    spawnSync('/usr/bin/scontrol', ['shutdown'], { env, timeout: 5000 });
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // slurmctld's helper (slurmscriptd) follows its parent; make sure nothing of this cluster stays.
    spawnSync('pkill', ['-9', '-f', conf]);
  };
  try {
    execFileSync('/usr/sbin/slurmctld', ['-i'], { env });
    execFileSync('/usr/sbin/slurmd', [], { env });
    for (let t = 0; ; t++) {
      const s = spawnSync('/usr/bin/sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' });
      if (s.stdout.trim() === 'idle') break;
      if (t > 100) throw new Error(`the test cluster did not come up: sinfo says "${s.stdout.trim() || s.stderr.trim()}"`);
      await new Promise((r) => setTimeout(r, 200));
    }
    readPids();
  } catch (e) {
    stop();
    throw e;
  }
  return { env, stop };
}
