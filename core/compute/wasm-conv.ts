// Convolutions on the kernel pool: forward, and the gradients with respect to the input and the
// filter, each through an im2col patch matrix and the pool's matrix product.
import * as tf from '@tensorflow/tfjs';
import type { KernelPool, Window } from './pool.ts';
import { type Info, type Args, type Pad, offset, windowOf, withTemp } from './wasm-pool.ts';

export type ConvAttrs = {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  if (a.dataFormat === 'NCHW') return null;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
  );
}

/**
 * A convolution kernel through the patch matrix (rows = batch·OH·OW, depth = KH·KW·CI): makes
 * the output, a temporary patch matrix, and hands both to `body` as heap offsets.
 */
function throughPatches(
  args: Args,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  outShape: (info: tf.backend_util.Conv2DInfo) => number[],
  body: (p: { cols: number; out: number; w: Window; rows: number; depth: number; channels: number }) => void,
): Info | null {
  const info = convInfo(xShape, filterShape, attrs);
  if (!info) return null;
  const w = windowOf(info);
  const [rows, depth] = [w.batch * w.OH * w.OW, w.KH * w.KW * w.C];
  const out = args.backend.makeOutput(outShape(info), 'float32');
  withTemp(args.backend, [rows, depth], (cols) =>
    body({ cols, out: offset(args.backend, out), w, rows, depth, channels: info.outChannels }),
  );
  return out;
}

// y[rows, CO] = cols[rows, depth] · filter[depth, CO]
export function pooledConv2D(args: Args, pool: KernelPool): Info | null {
  const { x, filter } = args.inputs as { x: Info; filter: Info };
  return throughPatches(
    args,
    x.shape,
    filter.shape,
    args.attrs as ConvAttrs,
    (info) => info.outShape,
    (p) => {
      pool.im2col(offset(args.backend, x), p.w, p.cols);
      pool.product({
        M: p.rows,
        N: p.channels,
        K: p.depth,
        a: p.cols,
        ars: p.depth,
        acs: 1,
        b: offset(args.backend, filter),
        brs: p.channels,
        bcs: 1,
        c: p.out,
      });
    },
  );
}

// dcols[rows, depth] = dy[rows, CO] · filterᵀ, then summed back into the image.
export function pooledConv2DBackpropInput(args: Args, pool: KernelPool): Info | null {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as ConvAttrs & { inputShape: number[] };
  return throughPatches(
    args,
    attrs.inputShape,
    filter.shape,
    { ...attrs, dilations: 1 },
    () => attrs.inputShape,
    (p) => {
      pool.product({
        M: p.rows,
        N: p.depth,
        K: p.channels,
        a: offset(args.backend, dy),
        ars: p.channels,
        acs: 1,
        b: offset(args.backend, filter),
        brs: 1,
        bcs: p.channels,
        c: p.cols,
      });
      pool.col2im(p.cols, p.w, p.out);
    },
  );
}

// dfilter[depth, CO] = colsᵀ · dy[rows, CO]
export function pooledConv2DBackpropFilter(args: Args, pool: KernelPool): Info | null {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as ConvAttrs & { filterShape: number[] };
  return throughPatches(
    args,
    x.shape,
    attrs.filterShape,
    { ...attrs, dilations: 1 },
    () => attrs.filterShape,
    (p) => {
      pool.im2col(offset(args.backend, x), p.w, p.cols);
      pool.product({
        M: p.depth,
        N: p.channels,
        K: p.rows,
        a: p.cols,
        ars: 1,
        acs: p.depth,
        b: offset(args.backend, dy),
        brs: p.channels,
        bcs: 1,
        c: p.out,
      });
    },
  );
}
