// `npm run claims`: reruns every claim's command and rewrites its number in README.md.
// `npm run claims -- --check`: reruns and compares only; exits 1 when a number left its tolerance.
// `--ci`: only the claims cheap enough for every test run (what test/unit/claims.test.ts checks).
// `--long`: also the claims that take tens of minutes (the SPA authors' 200-epoch protocol).
import { readFileSync, writeFileSync } from 'node:fs';
import { check, formatValue, markedValues, rewrite } from './check.ts';
import { CLAIMS } from './claims.ts';

const README = 'README.md';
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--check', '--ci', '--long'].includes(a));
if (unknown.length) {
  console.error(`claims: unknown option ${unknown[0]} (use --check, --ci, --long)`);
  process.exit(2);
}
const text = readFileSync(README, 'utf8');
const claims = CLAIMS.filter((c) => (args.has('--ci') ? c.cost === 'ci' : c.cost !== 'long' || args.has('--long')));
const marked = new Set(markedValues(text).map((m) => m.id));
const orphans = [...marked].filter((id) => !CLAIMS.some((c) => c.id === id));
if (orphans.length) console.error(`claims: README marks numbers no claim produces: ${orphans.join(', ')}`);
const t0 = Date.now();
const verdicts = check(claims, text);
for (const v of verdicts)
  console.log(
    `${v.ok ? 'ok  ' : 'FAIL'} ${v.id.padEnd(28)} README ${v.shown.padEnd(12)} now ${formatValue(v.fresh, CLAIMS.find((c) => c.id === v.id)!.format).padEnd(12)} kairo ${v.command}`,
  );
console.log(`${verdicts.filter((v) => v.ok).length}/${verdicts.length} claims hold (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
if (args.has('--check')) process.exit(verdicts.every((v) => v.ok) && !orphans.length ? 0 : 1);
const values = new Map(verdicts.map((v) => [v.id, formatValue(v.fresh, CLAIMS.find((c) => c.id === v.id)!.format)]));
const missing = claims.filter((c) => !marked.has(c.id)).map((c) => c.id);
if (missing.length) console.error(`claims: no README marker for ${missing.join(', ')}`);
writeFileSync(README, rewrite(text, values));
console.log(`rewrote ${values.size} numbers in ${README}`);
