// Fixes to tfjs's plain-JS `cpu` backend (the last resort of the chain, and the reference the WebGPU
// tests compare against). tfjs 4.22's ResizeNearestNeighborGrad on `cpu` is wrong for a batch of more
// than one image (found by test/unit/webgpu.test.ts: WebGPU, WebAssembly and a direct sum agreed, the
// CPU backend did not), which the convolutional VAE's decoder would hit. This one scatters each output
// gradient to the input pixel the forward pass copied it from, with the forward pass's own index rule.
import * as tf from '@tensorflow/tfjs';

interface CpuBackend {
  data: { get(id: unknown): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

/** The source index of output row (or column) r, as tfjs's forward kernel computes it. */
function source(r: number, oldSize: number, newSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const ratio = alignCorners && newSize > 1 ? (oldSize - 1) / (newSize - 1) : oldSize / newSize;
  const frac = halfPixelCenters ? ratio * (r + 0.5) : ratio * r;
  const i = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixelCenters ? Math.max(0, i) : i;
}

let installed = false;

export function installCpuKernelFixes(): void {
  if (installed) return;
  installed = true;
  if (tf.getKernel('ResizeNearestNeighborGrad', 'cpu')) tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const { alignCorners, halfPixelCenters } = attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean };
      const b = backend as unknown as CpuBackend;
      const [batch, oldH, oldW, ch] = images.shape as [number, number, number, number];
      const [, newH, newW] = dy.shape as [number, number, number, number];
      const g = b.data.get(dy.dataId).values;
      const out = new Float32Array(batch * oldH * oldW * ch);
      const rows = Array.from({ length: newH }, (_, r) => source(r, oldH, newH, alignCorners, halfPixelCenters));
      const cols = Array.from({ length: newW }, (_, c) => source(c, oldW, newW, alignCorners, halfPixelCenters));
      let k = 0;
      for (let n = 0; n < batch; n++)
        for (let r = 0; r < newH; r++)
          for (let c = 0; c < newW; c++) {
            const o = ((n * oldH + rows[r]!) * oldW + cols[c]!) * ch;
            for (let d = 0; d < ch; d++) out[o + d]! += g[k++]!;
          }
      return b.makeTensorInfo(images.shape, 'float32', out);
    },
  });
}
