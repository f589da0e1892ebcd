// Every README command (test/cli/golden.ts, at small sizes) prints exactly the JSON it printed
// when test/fixtures/cli-golden.json was recorded: reorganising the code behind the CLI must not
// change what scripts read. Wall times and the temporary folder are the only things normalised.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMANDS, GOLDEN_FILE, runAll, type GoldenRun } from '../cli/golden.ts';
import { tempDir } from '../helpers.ts';

test('the README commands print the recorded JSON', () => {
  const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenRun[];
  assert.deepEqual(
    golden.map((g) => g.args),
    COMMANDS,
    'the command list changed: record again (node --import tsx test/cli/golden.ts record)',
  );
  const dir = tempDir();
  const runs = runAll(dir, { ...process.env, KAIRO_HOME: dir });
  for (const [i, run] of runs.entries()) {
    const want = golden[i]!;
    assert.deepEqual(
      { status: run.status, json: run.json },
      { status: want.status, json: want.json },
      `kairo ${run.args.join(' ')}`,
    );
  }
});
