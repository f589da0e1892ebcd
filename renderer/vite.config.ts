import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './', // relative URLs: the same build loads from file:// in Electron and http:// in the host
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The largest chunk is the PDF export's DejaVu Sans (0.99 MB as base64), loaded only when a PDF is made.
    chunkSizeWarningLimit: 1100,
    // Rolldown's "plugin timings" block reads like a warning on a loaded machine; it is not one.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
