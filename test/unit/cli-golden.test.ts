// Every README command (test/cli/golden.ts, at small sizes) prints exactly the JSON it printed
// when test/fixtures/cli-golden.json was recorded: reorganising the code behind the CLI must not
// change what scripts read. Wall times and the temporary folder are the only things normalised.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chains, COMMANDS, GOLDEN_FILE, runAll, type GoldenRun } from '../cli/golden.ts';
import { tempDir } from '../helpers.ts';

test('the README commands print the recorded JSON', async () => {
  const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenRun[];
  assert.deepEqual(
    golden.map((g) => g.args),
    COMMANDS,
    'the command list changed: record again (node --import tsx test/cli/golden.ts record)',
  );
  const dir = tempDir();
  const runs = await runAll(dir, { ...process.env, KAIRO_HOME: dir });
  for (const [i, run] of runs.entries()) {
    const want = golden[i]!;
    assert.deepEqual(
      { status: run.status, json: run.json },
      { status: want.status, json: want.json },
      `kairo ${run.args.join(' ')}`,
    );
  }
});

test('the replay’s chains keep every command after the one that wrote the file it reads', () => {
  const cs = chains(COMMANDS);
  assert.deepEqual(
    cs.flat().sort((a, b) => a - b),
    [...COMMANDS.keys()],
  );
  const chainOf = new Map(cs.flatMap((c, k) => c.map((i) => [i, k] as const)));
  for (const [i, cmd] of COMMANDS.entries())
    cmd.forEach((a, k) => {
      if (!a.includes('{dir}') || ['--out', '--machine-out'].includes(cmd[k - 1] ?? '')) return;
      const writer = COMMANDS.findIndex((c) => c.some((b, j) => b === a && ['--out', '--machine-out'].includes(c[j - 1] ?? '')));
      if (writer < 0) return; // an input written before the commands run (writeInputs)
      assert.equal(chainOf.get(writer), chainOf.get(i), `${cmd.join(' ')} reads ${a}`);
      const c = cs[chainOf.get(i)!]!;
      assert.ok(c.indexOf(writer) < c.indexOf(i));
    });
});
