// Regenerates the README's screenshots, one lab's at a time or all: `npx tsx scripts/screenshot.ts
// [LAB|all] [ARG]`. Each recipe below is named by its lab's id in the registry (core/labs/index.ts),
// and `all` goes through the registry in sidebar order, naming any lab without one.
// vae (default): docs/screenshot.png, the recall lab in the paper setting; fisher: docs/fisher.png,
// the conditional FIM beside free probability; ngd: docs/ngd.png; continual: docs/continual.png (the corrections compared);
// augment F.kairo: docs/augment.png from the session `kairo augment compare --per-class 10,30,100
// --out F.kairo` saved (its file under the system's temporary folder; `all` skips it without one);
// curvature: docs/curvature.png, the lab's quick look.
// Needs the renderer built and Chromium at /usr/bin/chromium or CHROMIUM_PATH.
import { chromium, type Page } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabId } from '../core/contract.ts';
import { LAB_IDS } from '../core/labs/index.ts';

process.env.KAIRO_HOME = mkdtempSync(join(tmpdir(), 'kairo-shot-'));
const { startHost } = await import('../core/host/server.ts');
const host = await startHost({ workspace: tmpdir() });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
let page: Page;

const SHOTS = new Map<LabId, { file: string; take: (arg: string | undefined) => Promise<void> }>([
  [
    'vae',
    {
      file: 'docs/screenshot.png',
      take: async (arg) => {
        // The headline lab in the paper setting: hierarchical patterns, a trained VAE, recall under bit flips.
        await page.getByRole('button', { name: 'VAE recall' }).click();
        await page.getByRole('button', { name: /^Paper setting/ }).click();
        await page.getByTestId('recall-minima').locator('tbody tr').nth(3).waitFor({ timeout: 180_000 });
        await page.getByLabel('recall run').selectOption({ label: 'flip p = 0.1 · mean' });
        await page.locator('figure[data-scatter]').waitFor();
        await page.getByRole('button', { name: 'first iteration' }).click();
        await page.locator('input[aria-label="iteration"]').fill('3');
        await page.locator('figure[data-scatter]').scrollIntoViewIfNeeded();
        await page.evaluate(() => document.querySelector('main')!.scrollBy(0, -40));
        await page.waitForTimeout(500);
      },
    },
  ],
  [
    'fisher',
    {
      file: 'docs/fisher.png',
      take: async (arg) => {
        // The conditional FIM of one input through deep tanh nets beside its free-probability law.
        await page.getByRole('button', { name: 'Fisher / NTK spectra' }).click();
        const card = page.locator('.card', { has: page.getByRole('heading', { name: /^Conditional FIM/ }) });
        await card.locator('select[name="isoActivation"]').selectOption('tanh');
        await card.locator('input[name="isoWidth"]').fill('256');
        await card.locator('input[name="isoDepths"]').fill('2, 4, 8, 16');
        await card.locator('input[name="isoSigmaW2"]').fill('1.05');
        await card.getByRole('button', { name: 'Run' }).click();
        await page.locator('figure[data-chart^="Eigenvalues of J Jᵀ beside the limiting law"]').waitFor({ timeout: 600_000 });
        await page.getByTestId('isometry-run').selectOption({ index: 5 });
        await page.evaluate(() => document.querySelector('figure[data-chart="Largest eigenvalue vs depth"]')!.scrollIntoView());
        await page.waitForTimeout(500);
      },
    },
  ],
  [
    'ngd',
    {
      file: 'docs/ngd.png',
      take: async (arg) => {
        // Every method from one ReLU network of width 1,024 at its best η, beside the predictions.
        await page.getByRole('button', { name: 'Natural gradient' }).click();
        await page.locator('input[name="width"]').fill('1024');
        await page.locator('input[name="steps"]').fill('6');
        await page.getByRole('button', { name: 'Train and compare' }).click();
        await page.locator('figure[data-chart="Train loss, each at its best η"]').waitFor({ timeout: 600_000 });
        await page.evaluate(() => document.querySelector('[data-testid="ngd-compare"]')!.scrollIntoView());
        await page.waitForTimeout(500);
      },
    },
  ],
  [
    'continual',
    {
      file: 'docs/continual.png',
      take: async (arg) => {
        // The corrections compared at the lab's defaults (`kairo continual compare`, about 40 s): the verdict, the charts.
        await page.getByRole('button', { name: 'Continual learning' }).click();
        await page.getByRole('button', { name: 'Compare corrections' }).click();
        await page.getByTestId('continual-verdict').waitFor({ timeout: 600_000 });
        await page.evaluate(() => document.querySelector('[data-testid="continual-verdict"]')!.scrollIntoView());
        await page.waitForTimeout(500);
      },
    },
  ],
  [
    'augment',
    {
      file: 'docs/augment.png',
      take: async (arg) => {
        // A saved comparison: accuracy against training-set size and the learning curves.
        await host.core.call('session.open', { path: arg! });
        await page.reload();
        await page.getByRole('button', { name: 'Augmentation' }).click();
        await page.locator('figure[data-chart="Final test accuracy against training-set size"]').waitFor({ timeout: 60_000 });
        await page.evaluate(() => document.querySelector('[data-testid="augment-table"]')!.closest('.card')!.scrollIntoView());
        await page.waitForTimeout(800);
      },
    },
  ],
  [
    'curvature',
    {
      file: 'docs/curvature.png',
      take: async () => {
        // The quick look: a fresh network's Fisher, Lanczos beside the Fisher lab and the theory, and its density.
        await page.getByRole('button', { name: 'Curvature' }).click();
        await page.getByRole('button', { name: /^Quick look/ }).click();
        await page.locator('figure[data-chart="Spectral density of the Fisher (true)"]').waitFor({ timeout: 120_000 });
        await page.evaluate(() => document.querySelector('[data-testid="curvature-result"]')!.scrollIntoView());
        await page.waitForTimeout(800);
      },
    },
  ],
]);

const [which = 'vae', arg] = process.argv.slice(2);
const labs = which === 'all' ? LAB_IDS : [which as LabId];
for (const id of labs) {
  const shot = SHOTS.get(id);
  if (!shot) {
    if (which !== 'all') throw new Error(`no screenshot recipe for ${JSON.stringify(id)}; have: ${[...SHOTS.keys()].join(', ')}`);
    console.log(`${id}: no screenshot in the README`);
    continue;
  }
  if (id === 'augment' && !arg) {
    console.log('augment: give the saved session (scripts/screenshot.ts augment F.kairo)');
    continue;
  }
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(host.url);
  await shot.take(arg);
  await page.screenshot({ path: shot.file });
  await page.close();
  console.log(`${id}: ${shot.file}`);
}
await browser.close();
await host.close();
process.exit(0);
