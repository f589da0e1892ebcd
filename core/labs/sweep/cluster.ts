// Handing a sweep to the engines clusters already run: a Slurm job array (each task runs
// `kairo sweep run` with SLURM_ARRAY_TASK_ID) and a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).
// Kairo schedules nothing itself.
import type { SweepSpec } from './spec.ts';

export interface SlurmOptions {
  /** Absolute paths: the node binary, Kairo's bin/kairo.mjs, the sweep's spec copy, the output folder. */
  node: string;
  kairo: string;
  spec: string;
  dir: string;
  count: number;
  maxParallel?: number;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  jobName?: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A ready sbatch script: one array task per run, at most `maxParallel` at once. */
export function slurmScript(o: SlurmOptions): string {
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.jobName ?? 'kairo-sweep'}`,
    `#SBATCH --array=0-${o.count - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}`,
    `#SBATCH --output=${o.dir}/logs/%a.out`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 2}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    `# Written by kairo sweep slurm: ${o.count} runs. Submit with: sbatch ${o.dir}/sweep.sbatch`,
    '# Each task runs one index; a resubmission skips the runs whose results exist.',
    'export KAIRO_THREADS="${SLURM_CPUS_PER_TASK:-2}"',
    `exec ${q(o.node)} ${q(o.kairo)} sweep run ${q(o.spec)} --out ${q(o.dir)}`,
    '',
  ];
  return lines.join('\n');
}

export interface K8sOptions {
  image: string;
  count: number;
  spec: SweepSpec;
  parallelism?: number;
  cpu?: string;
  memory?: string;
  /** A PersistentVolumeClaim the results are written to (collect them from it). */
  pvc?: string;
  name?: string;
}

/** A ConfigMap holding the spec and an Indexed Job running one index per pod, as a v1 List. */
export function k8sManifest(o: K8sOptions): { apiVersion: 'v1'; kind: 'List'; items: Record<string, unknown>[] } {
  const name = o.name ?? 'kairo-sweep';
  const cpu = o.cpu ?? '2';
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-spec` },
    data: { 'spec.json': JSON.stringify(o.spec, null, 2) + '\n' },
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      completionMode: 'Indexed',
      completions: o.count,
      parallelism: Math.min(o.parallelism ?? 4, o.count),
      backoffLimitPerIndex: 2,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'kairo',
              image: o.image,
              args: ['sweep', 'run', '/sweep/spec.json', '--out', '/results'],
              env: [{ name: 'KAIRO_THREADS', value: cpu }],
              resources: { requests: { cpu, memory: o.memory ?? '4Gi' }, limits: { memory: o.memory ?? '4Gi' } },
              volumeMounts: [
                { name: 'spec', mountPath: '/sweep', readOnly: true },
                { name: 'results', mountPath: '/results' },
              ],
            },
          ],
          volumes: [
            { name: 'spec', configMap: { name: `${name}-spec` } },
            { name: 'results', persistentVolumeClaim: { claimName: o.pvc ?? `${name}-results` } },
          ],
        },
      },
    },
  };
  return { apiVersion: 'v1', kind: 'List', items: [configMap, job] };
}

/** The headless image the Job runs: Kairo's CLI on Node 20, no browser, no Electron. */
export const DOCKERFILE = `# Build from a Kairo checkout: docker build -t IMAGE -f sweep/Dockerfile .
FROM node:20-bookworm-slim
WORKDIR /opt/kairo
COPY package.json package-lock.json ./
# Optional packages stay: esbuild (under tsx) finds its platform binary among them; tfjs-node's
# download script does not run, so the image computes on WebAssembly.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY core ./core
COPY models ./models
ENTRYPOINT ["node", "/opt/kairo/bin/kairo.mjs"]
`;
