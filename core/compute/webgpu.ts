// The WebGPU backend in Node: Google's Dawn (npm `webgpu`, a prebuilt addon for Linux, macOS and
// Windows) under tfjs's WebGPU backend. Dawn's native backend (Vulkan, Metal, D3D12) gives the
// machine's real adapter. Without one, Dawn's OpenGL ES backend in compatibility mode runs on Mesa's
// software rasteriser (llvmpipe, with EGL_PLATFORM=surfaceless): a real WebGPU device, slower than
// WebAssembly, used only when asked (KAIRO_BACKEND=webgpu, or KAIRO_WEBGPU=software) — the tests run
// every kernel on it.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';

/** What the status bar and `kairo info` say about the adapter. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's backend: vulkan, metal, d3d12, or opengles (the software route here). */
  backend: string;
  software: boolean;
}

/** Minimal shapes of what Dawn hands out (the full WebGPU types are the DOM's, absent in core/). */
interface Adapter {
  info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  limits: Record<string, number>;
  requestDevice(d: { requiredLimits: Record<string, number> }): Promise<unknown>;
}
interface Gpu {
  requestAdapter(o: Record<string, unknown>): Promise<Adapter | null>;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;
const NATIVE_BACKEND: Partial<Record<NodeJS.Platform, string>> = { darwin: 'metal', win32: 'd3d12', linux: 'vulkan' };

let active: { adapter: WebGpuAdapter; device: { destroy?: () => void } } | null = null;

/** The adapter the running backend uses, or null when WebGPU is not the backend. */
export const webGpuAdapter = (): WebGpuAdapter | null => active?.adapter ?? null;

function describe(a: Adapter, backend: string): WebGpuAdapter {
  const i = a.info;
  const text = `${i.vendor ?? ''} ${i.architecture ?? ''} ${i.device ?? ''} ${i.description ?? ''}`;
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    backend,
    software: i.isFallbackAdapter === true || SOFTWARE.test(text),
  };
}

/** One line naming the adapter: "NVIDIA ampere (vulkan)", "llvmpipe, OpenGL ES 3.2 Mesa 22.3.6 (opengles, software)". */
export function adapterLine(a: WebGpuAdapter): string {
  const name = [a.vendor, a.architecture, a.device].filter((s) => s).join(' ') || 'unnamed adapter';
  const desc = a.description && !name.includes(a.description) ? `, ${a.description}` : '';
  return `${name}${desc} (${a.backend}${a.software ? ', software' : ''})`;
}

/**
 * Linux: Dawn's Vulkan backend needs the Vulkan loader; without it Dawn prints a warning on every
 * start and finds nothing, so the loader is looked for first and its absence is the reason given.
 */
function vulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
    '/lib64',
    '/lib',
  ];
  return dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

/** The limits tfjs's WebGPU kernels are written for, raised to what the adapter allows (the defaults are lower). */
function limitsOf(a: Adapter): Record<string, number> {
  const keys = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  return Object.fromEntries(keys.filter((k) => typeof a.limits[k] === 'number').map((k) => [k, a.limits[k]!]));
}

/**
 * Starts Dawn, finds an adapter and registers tfjs's `webgpu` backend on it. `software`: take Mesa's
 * software adapter when no hardware one exists. Throws one line saying why nothing usable was found.
 */
export async function startWebGpu(software: boolean): Promise<WebGpuAdapter> {
  const pkg = 'webgpu';
  // A variable specifier: bundlers and tsc leave a package that may be absent alone.
  const dawn = (await import(pkg)) as { create: (flags: string[]) => Gpu; globals: Record<string, unknown> };
  // tfjs's kernels read GPUBufferUsage, GPUMapMode, … as globals, as in a browser.
  Object.assign(globalThis, dawn.globals);
  let adapter: Adapter | null = null;
  const gpus = new Map<Adapter, Gpu>();
  const ask = async (gpu: Gpu, o: Record<string, unknown>) => {
    const a = await gpu.requestAdapter(o);
    if (a) gpus.set(a, gpu);
    return a;
  };
  const gpuOf = (a: Adapter) => gpus.get(a)!;
  let backend = NATIVE_BACKEND[process.platform] ?? 'native';
  let why = '';
  if (vulkanLoader()) {
    adapter = await ask(dawn.create([]), { powerPreference: 'high-performance' });
    if (!adapter) why = `Dawn found no ${backend} adapter`;
  } else why = 'no Vulkan loader (libvulkan.so.1) on this machine';
  if (adapter && describe(adapter, backend).software && !software) {
    why = `only a software adapter (${adapterLine(describe(adapter, backend))}), slower than WebAssembly`;
    adapter = null;
  }
  if (!adapter && software) {
    // Reaches Mesa from the main thread; in a job worker the thread that started it has set it (webgpu-env.ts).
    if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
    backend = 'opengles';
    adapter = await ask(dawn.create(['backend=opengles']), { featureLevel: 'compatibility' });
    if (!adapter) why += '; no OpenGL ES adapter either (Mesa’s libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri)';
  }
  if (!adapter) throw new Error(`${why}${software ? '' : '; KAIRO_BACKEND=webgpu takes a software adapter'}`);
  const info = describe(adapter, backend);
  // tfjs's backend checks `navigator.gpu` (Node 20 has no navigator; 21+ one without gpu).
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpuOf(adapter), configurable: true });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const device = (await adapter.requestDevice({ requiredLimits: limitsOf(adapter) })) as { destroy?: () => void };
  // Registered here, on the adapter chosen above; tfjs's own registration asks `navigator.gpu`, absent in Node.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, adapter.info as never), 3);
  // tfjs reads the GPU synchronously through an OffscreenCanvas, which Node lacks (data still on the
  // CPU side reads fine): say what to do instead of "OffscreenCanvas is not defined".
  const readSync = WebGPUBackend.prototype.readSync;
  WebGPUBackend.prototype.readSync = function (this: InstanceType<typeof WebGPUBackend>, dataId: object) {
    try {
      return readSync.call(this, dataId);
    } catch (e) {
      if (e instanceof ReferenceError && /OffscreenCanvas/.test(e.message))
        throw new Error('a synchronous tensor read (dataSync) on WebGPU: Node cannot read the GPU synchronously; await t.data()');
      throw e;
    }
  };
  active = { adapter: info, device };
  return info;
}
