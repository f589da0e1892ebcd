import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { JobInfo, JobKind } from '../core/contract.ts';
import type { Core } from '../core/core.ts';

/** A fresh directory removed when the test file ends; also used as KAIRO_HOME. */
export function tempDir(prefix = 'kairo-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Runs a job through the core to its end, asserting it finished and leaked no tensors. */
export async function runJobDone(core: Core, kind: JobKind, params: unknown): Promise<JobInfo> {
  const job = await core.call('jobs.start', { kind, params } as never);
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'done', end.error?.message);
  const t = core.jobs.tensorsOf(job.id)!;
  assert.equal(t.after, t.before, `${kind} leaked tensors`);
  return end;
}

/** `kairo …` in a child process with a fresh KAIRO_HOME: exit status, stdout and stderr. */
export function kairo(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/kairo.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: tempDir() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A CLI context on a fresh core (shut down when the test file ends), as `kairo` gives lab commands. */
export async function cliOnFreshCore(): Promise<import('../core/labs/kit/cli.ts').CliContext> {
  const [{ Core }, { cliContext }] = await Promise.all([import('../core/core.ts'), import('../core/cli/context.ts')]);
  const core = new Core({ platform: { carrier: 'web' } });
  after(() => core.shutdown());
  return cliContext(core);
}
