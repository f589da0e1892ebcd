// Loaded before every test file (package.json "test"): `npm test` runs two test files at once on
// two cores (--test-concurrency=2), so a job's WebAssembly backend on every core in each would run
// four threads on two cores. One thread per job unless the caller says otherwise (measured here:
// the VAE quality and paper-setting files together, 75 s → 63 s). The kernel pool's threading is
// tested by test/unit/wasm-kernels.test.ts and backend.test.ts, which ask for every core.
process.env.KAIRO_THREADS ??= '1';
