import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';

function kairo(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/kairo.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: tempDir() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// An independent implementation in another language: the mixture density written out in
// plain Python from the Gaussian-mixture form, no shared code.
const PY = `
import json, math, sys
m = json.load(open(sys.argv[1])); X = json.load(open(sys.argv[2]))
W, b, c = m['W'], m['b'], m['c']
a = [0.5*sum(w*w for w in r) + sum(w*bj for w, bj in zip(r, b)) + cm for r, cm in zip(W, c)]
Z = sum(math.exp(x) for x in a)
pi = [math.exp(x)/Z for x in a]
out = []
for v in X:
    dens = sum(p * math.exp(-0.5*sum((vj - bj - wj)**2 for vj, bj, wj in zip(v, b, r))) / (2*math.pi)**(len(v)/2) for p, r in zip(pi, W))
    out.append(-math.log(dens))
print(json.dumps(out))
`;

test('kairo hopfield nll on plain JSON matches an independent Python mixture density', () => {
  const dir = tempDir();
  const M = join(dir, 'M.json');
  const X = join(dir, 'X.json');
  const py = join(dir, 'ref.py');
  writeFileSync(
    M,
    JSON.stringify({
      W: [
        [1, 0, 0.5],
        [0, 2, -1],
        [-1, -1, 0],
      ],
      b: [0.5, 0, -0.2],
      c: [0, 0.3, -0.2],
    }),
  );
  writeFileSync(
    X,
    JSON.stringify([
      [0.1, 0.2, 0],
      [2, -1, 1],
      [-3, 0.5, 0.1],
    ]),
  );
  writeFileSync(py, PY);
  const r = kairo('hopfield', 'nll', '--machine', M, '--points', X);
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(r.out) as { nll: number[]; posterior: number[][] };
  const ref = JSON.parse(spawnSync('python3', [py, M, X], { encoding: 'utf8' }).stdout) as number[];
  got.nll.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-10, `${v} vs ${ref[i]}`));
  got.posterior.forEach((p) => assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-12));
});

test('kairo hopfield train writes a session that nll, retrieve and complete read, with the same numbers', () => {
  const dir = tempDir();
  const F = join(dir, 'h.kairo');
  const M = join(dir, 'M.json');
  const t = kairo(
    'hopfield',
    'train',
    '--data',
    'toy',
    '--clusters',
    '3',
    '--epochs',
    '10',
    '--seed',
    '4',
    '--out',
    F,
    '--machine-out',
    M,
  );
  assert.equal(t.code, 0, t.err);
  const tr = JSON.parse(t.out) as { train_nll: number; test_nll: number; curve: { test_nll: number }[] };
  assert.ok(tr.curve.at(-1)!.test_nll < tr.curve[0]!.test_nll);
  assert.equal(tr.test_nll, tr.curve.at(-1)!.test_nll);
  const X = join(dir, 'X.json');
  writeFileSync(
    X,
    JSON.stringify([
      [0, 0],
      [3, 1],
    ]),
  );
  const a = JSON.parse(kairo('hopfield', 'nll', '--session', F, '--points', X).out);
  const b = JSON.parse(kairo('hopfield', 'nll', '--machine', M, '--points', X).out);
  assert.deepEqual(a, b);
  const r = kairo('hopfield', 'retrieve', '--session', F, '--index', '2', '--level', '0.5', '--steps', '5');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).path.length, 6);
  const c = kairo('hopfield', 'complete', '--session', F);
  assert.equal(c.code, 2);
  assert.match(c.err, /^kairo: error: completion needs image data/);
});

test('bad hopfield input gets a one-line error and exit status 2', () => {
  const dir = tempDir();
  const M = join(dir, 'M.json');
  const X = join(dir, 'X.json');
  writeFileSync(M, JSON.stringify({ W: [[1, 0], [0]], b: [0, 0], c: [0, 0] }));
  writeFileSync(X, '[[0, 0]]');
  for (const [args, re] of [
    [['hopfield', 'nll', '--machine', M, '--points', X], /W\[1\] has 1 entries, b has 2/],
    [['hopfield', 'nll', '--machine', X, '--points', X], /Expected object, received array/],
    [['hopfield', 'nll', '--points', X], /exactly one of --machine/],
    [['hopfield', 'train', '--epochs', '0'], /--epochs: Number must be greater than or equal to 1/],
    [['hopfield', 'train', '--model', 'boltzmann'], /--model must be one of attnbm\|gbrbm/],
    [['hopfield', 'fly'], /unknown hopfield command "fly"/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});
