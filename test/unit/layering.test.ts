// ARCHITECTURE.md's import rules, checked on every file rather than trusted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|mjs|svelte)$/.test(f) ? [p] : [];
  });
}

/** Static imports (type-only ones marked), re-exports and lazy `import('…')` calls: every edge a reader follows. */
const imports = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/gm)].map((m) => ({
      typeOnly: !!m[1],
      lazy: false,
      spec: m[2]!,
    })),
    ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({ typeOnly: false, lazy: true, spec: m[1]! })),
  ];
};

test('only electron/ imports electron at run time', () => {
  for (const dir of ['core', 'models', 'renderer/src', 'scripts', 'bin'])
    for (const f of files(dir))
      for (const i of imports(f)) assert.ok(i.spec !== 'electron' || i.typeOnly, `${f} imports electron`);
});

test('models/ imports neither core/ nor Node or DOM APIs', () => {
  for (const f of files('models'))
    for (const i of imports(f)) {
      assert.ok(!i.spec.includes('/core/') && !i.spec.startsWith('node:'), `${f} imports ${i.spec}`);
      assert.ok(i.spec.startsWith('.') || i.spec.startsWith('@tensorflow/'), `${f} imports ${i.spec}`);
    }
});

test('renderer/ reaches the core only through the contract', () => {
  for (const f of files('renderer/src'))
    for (const i of imports(f)) {
      assert.ok(!i.spec.startsWith('node:'), `${f} imports ${i.spec}`);
      if (i.spec.includes('/core/')) assert.match(i.spec, /\/core\/contract$/, `${f} imports ${i.spec}`);
    }
});

test('the packaged main process does not contain the WebSocket host', () => {
  const main = readFileSync('dist/electron/main.mjs', 'utf8');
  assert.ok(!main.includes('WebSocketServer') && !main.includes('startHost'));
  assert.ok(main.includes('kairo:request'));
});

const CONTRACT = /^core\/(contract\.ts|contract\/[^/]+\.ts|labs\/[^/]+\/contract\.ts|labs\/[^/]+\/contract\/[^/]+\.ts)$/;
const resolveSpec = (from: string, spec: string) => join(from, '..', spec).replace(/\\/g, '/');

test('the contract files import nothing but each other', () => {
  const contractFiles = [...files('core')].map((f) => f.replace(/\\/g, '/')).filter((f) => CONTRACT.test(f));
  assert.ok(contractFiles.length >= 8, contractFiles.join(', '));
  for (const f of contractFiles) {
    for (const i of imports(f)) {
      assert.match(resolveSpec(f, i.spec), CONTRACT, `${f} imports ${i.spec}`);
    }
    for (const m of readFileSync(f, 'utf8').matchAll(/^export \* from ['"]([^'"]+)['"]/gm))
      assert.match(resolveSpec(f, m[1]!), CONTRACT, `${f} re-exports ${m[1]}`);
  }
});

test('outside core/labs/, nothing names a lab: the core, sessions, jobs, CLI and Electron read the registry', () => {
  const shared = [...files('core'), ...files('electron')]
    .map((f) => f.replace(/\\/g, '/'))
    .filter((f) => !f.startsWith('core/labs/') && !CONTRACT.test(f) && !f.startsWith('core/data/'));
  for (const f of shared)
    for (const i of imports(f)) {
      const target = resolveSpec(f, i.spec);
      // core/labs/kit/ is what every lab is built from (the session view, the CLI context, flags, run summaries), not a lab.
      assert.ok(
        !/core\/labs\/[^/]+\//.test(target) || target.startsWith('core/labs/kit/'),
        `${f} imports ${i.spec}: use core/labs/index.ts`,
      );
    }
});

test('labs are plug-ins: no lab imports the core, the CLI entry or the session service, or builds a core', () => {
  const labFiles = files('core/labs').map((f) => f.replace(/\\/g, '/'));
  assert.ok(labFiles.length > 50);
  for (const f of labFiles) {
    for (const i of imports(f)) {
      const target = resolveSpec(f, i.spec);
      assert.ok(
        !['core/core.ts', 'core/session/service.ts'].includes(target) && !target.startsWith('core/cli/'),
        `${f} imports ${i.spec}${i.typeOnly ? ' (type only)' : ''}${i.lazy ? ' (lazily)' : ''}: a lab receives what it needs (core/labs/kit/)`,
      );
    }
    assert.ok(!/\bnew Core\(/.test(readFileSync(f, 'utf8')), `${f} builds a Core of its own`);
  }
});

test('no import cycles in core/ and models/, counting type-only and lazy imports', () => {
  const all = [...files('core'), ...files('models')].map((f) => f.replace(/\\/g, '/'));
  const graph = new Map(
    all.map((f) => [
      f,
      imports(f)
        .filter((i) => i.spec.startsWith('.'))
        .map((i) => resolveSpec(f, i.spec)),
    ]),
  );
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    assert.notEqual(state.get(f), 'open', `import cycle: ${[...path.slice(path.indexOf(f)), f].join(' → ')}`);
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of all) visit(f, []);
});

test('a job flagged float64 never reaches TensorFlow.js, and every job that never does is flagged', async () => {
  const { LABS, LAB_IDS } = await import('../../core/labs/index.ts');
  /** Whether `file` reaches @tensorflow/* through run-time imports (static, re-exports or lazy). */
  const reach = new Map<string, boolean>();
  const reachesTf = (file: string): boolean => {
    if (reach.has(file)) return reach.get(file)!;
    reach.set(file, false); // a cycle adds nothing new
    const hit = imports(file)
      .filter((i) => !i.typeOnly)
      .some((i) => i.spec.startsWith('@tensorflow/') || (i.spec.startsWith('.') && reachesTf(resolveSpec(file, i.spec))));
    reach.set(file, hit);
    return hit;
  };
  let flagged = 0;
  for (const id of LAB_IDS) {
    const jobs = Object.entries(LABS[id].jobs) as [string, { float64?: true; handler?: unknown; driver?: unknown }][];
    if (!jobs.length) continue;
    for (const [kind, def] of jobs) assert.ok(!def.handler !== !def.driver, `${kind}: a handler or a driver, not both`);
    for (const [kind, def] of jobs) {
      // Every handler and driver is `async () => (await import('…')).run…`: the module it names is
      // what a worker (or, for a driver, the core's own process) loads. It is written in the lab's
      // lab.ts or in its experiments/ folder.
      const fn = (def.handler ?? def.driver) as () => unknown;
      const spec = /import\((['"])([^'"]+)\1\)/.exec(fn.toString())?.[2];
      assert.ok(spec, `${kind}: its handler imports its module lazily`);
      const module = [`core/labs/${id}/lab.ts`, `core/labs/${id}/experiments/x.ts`]
        .map((from) => resolveSpec(from, spec!))
        .find((f) => existsSync(f));
      assert.ok(module, `${kind}: ${spec} not found beside lab.ts or in experiments/`);
      const tf = reachesTf(module);
      // A driver runs in the process that answers the UI: it must never load TensorFlow.js there.
      if (def.driver) {
        assert.ok(!tf, `${kind}: its driver's module loads TensorFlow.js`);
        continue;
      }
      assert.equal(
        def.float64 === true,
        !tf,
        `${kind}: float64 ${def.float64 === true}, its module ${module} ${tf ? 'loads' : 'never loads'} TensorFlow.js`,
      );
      if (def.float64) flagged++;
    }
  }
  assert.ok(flagged >= 13, `${flagged} float64 jobs`);
});

test('no hand-written file is over 400 lines (a file that grows past it is split by what it holds)', () => {
  const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n');
  // Source of every kind; data, lock files, fixtures and prose are not.
  const code = tracked.filter((f) => /\.(ts|mjs|svelte|c|h|cc|py|sh)$/.test(f) && !f.startsWith('test/fixtures/'));
  assert.ok(code.length > 200, `${code.length} files`);
  const long = code
    .filter((f) => existsSync(f))
    .map((f) => [f, readFileSync(f, 'utf8').split('\n').length - 1] as const)
    .filter(([, n]) => n > 400);
  assert.deepEqual(long, []);
});
