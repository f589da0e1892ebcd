// Mesa reads EGL_PLATFORM from the process's real environment when Dawn opens its OpenGL ES
// adapter. A worker thread's process.env is a copy that never reaches the C library, so the
// variable is set here, in the thread that starts job workers, before it starts one, and only when
// the software WebGPU adapter is asked for (an Electron GPU process started later inherits it).
export function prepareSoftwareWebGpu(): void {
  const asked = process.env.KAIRO_BACKEND === 'webgpu' || process.env.KAIRO_WEBGPU === 'software';
  if (asked && process.platform === 'linux' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
}
