// `kairo data …`: what a dataset holds, without a window.
import { FASHION_MNIST_SOURCE, type SplitSummary } from '../../contract.ts';
import { readIdxPair } from '../../data/idx.ts';
import { KairoError } from '../../errors.ts';
import type { Parsed } from '../kit/args.ts';
import { commandOf, type CliContext, type LabCommand } from '../kit/cli.ts';

const USAGE = `  data inspect [--dataset mnist|fashion-mnist | --idx-images F --idx-labels F]
                                         counts, shapes and classes of MNIST, Fashion-MNIST or an IDX pair`;
const VALUED = new Set(['dataset', 'idx-images', 'idx-labels']);
const SWITCHES = new Set<string>();

function splitJson(s: SplitSummary | { count: number; shape: number[]; classes: number; classCounts: number[] }) {
  return { count: s.count, shape: s.shape, classes: s.classes, class_counts: s.classCounts };
}

async function inspect(args: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  const images = args.flags.get('idx-images');
  const labels = args.flags.get('idx-labels');
  if ((images === undefined) !== (labels === undefined))
    throw new KairoError('invalid_input', 'give both --idx-images and --idx-labels');
  if (typeof images === 'string' && typeof labels === 'string') {
    out(splitJson(readIdxPair(images, labels)));
    return 0;
  }
  const named = args.flags.get('dataset');
  if (named !== undefined && named !== 'mnist' && named !== 'fashion-mnist')
    throw new KairoError('invalid_input', `--dataset: mnist or fashion-mnist (got ${String(named)})`);
  const s = await ctx.call('data.summary', {
    source: named === 'fashion-mnist' ? { ...FASHION_MNIST_SOURCE } : { kind: 'mnist' },
  });
  out({ name: s.name, train: splitJson(s.train), test: s.test ? splitJson(s.test) : null });
  return 0;
}

export const command: LabCommand = commandOf({
  name: 'data',
  usage: USAGE,
  valued: VALUED,
  switches: SWITCHES,
  subs: [{ sub: 'inspect', flags: VALUED, run: inspect }],
});
