// The README's measured numbers (test/claims/): every marked number has a claim and every claim a
// marked number; the cheap claims are rerun here and must still hold; and the check itself catches
// a number its command no longer reproduces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { check, formatValue, markedValues, parseShown, rewrite, type Claim } from '../claims/check.ts';
import { CLAIMS } from '../claims/claims.ts';

const README = readFileSync('README.md', 'utf8');

test('claims: every marked README number has exactly one claim, and every claim its marked number', () => {
  const marked = markedValues(README).map((m) => m.id);
  assert.equal(new Set(marked).size, marked.length, 'a claim is marked twice');
  assert.deepEqual([...marked].sort(), CLAIMS.map((c) => c.id).sort());
  // Every shown value parses, and is written as its claim's format writes numbers.
  for (const m of markedValues(README)) {
    const c = CLAIMS.find((x) => x.id === m.id)!;
    assert.equal(formatValue(parseShown(m.shown).value, c.format), m.shown, `${m.id}: "${m.shown}" is not in ${c.format}`);
  }
});

test('claims: the cheap ones rerun and still hold (the rest: npm run claims -- --check)', () => {
  const verdicts = check(
    CLAIMS.filter((c) => c.cost === 'ci'),
    README,
  );
  const failed = verdicts.filter((v) => !v.ok);
  assert.deepEqual(
    failed.map((v) => `${v.id}: README ${v.shown}, now ${v.fresh} (kairo ${v.command})`),
    [],
  );
});

test('claims: a number its command no longer reproduces fails; rounding and the tolerance are allowed', () => {
  const claim: Claim = {
    id: 'x',
    command: 'stub',
    value: (o) => (o as { v: number }).v,
    format: 'sig:3',
    tolerance: 0.001,
    cost: 'ci',
  };
  const text = (shown: string) => `λ = <!--claim:x-->${shown}<!--/claim--> here`;
  const run = (v: number) => () => ({ v });
  assert.equal(check([claim], text('1.25'), run(1.2504))[0]!.ok, true);
  // 1.2556 is outside 1.25 ± (0.005 + 0.00125).
  assert.equal(check([claim], text('1.25'), run(1.2566))[0]!.ok, false);
  assert.equal(check([claim], 'no marker', run(1.25))[0]!.ok, false);
  // Rewriting puts the fresh number between the markers and nowhere else.
  assert.equal(rewrite(text('1.25'), new Map([['x', '1.26']])), text('1.26'));
  // The formats the README uses, both ways.
  assert.equal(formatValue(3.1e-5, 'sci:2'), '3.1·10⁻⁵');
  assert.deepEqual(parseShown('3.1·10⁻⁵'), { value: 3.1e-5, half: 0.5e-6 });
  assert.equal(formatValue(0.306, 'pct:1'), '30.6 %');
  assert.equal(parseShown('30.6 %').value, 0.306);
  assert.equal(formatValue(0.2, 'sig:2'), '0.20');
});
