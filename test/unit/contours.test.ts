import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contourSegments } from '../../renderer/src/lib/contours.ts';

test('contours of a radial field are circles of the right radius', () => {
  const n = 81;
  const c = 40;
  const values = Array.from({ length: n * n }, (_, k) => Math.hypot((k % n) - c, Math.floor(k / n) - c));
  for (const r of [5.5, 20.25, 33]) {
    const segs = contourSegments(values, n, r);
    assert.ok(segs.length > 4 * r, `${segs.length} segments for radius ${r}`);
    for (const [x0, y0, x1, y1] of segs) {
      // Linear interpolation of a cone along an edge errs by O(1/r); stay within a tenth of a cell.
      for (const [x, y] of [
        [x0, y0],
        [x1, y1],
      ] as const)
        assert.ok(Math.abs(Math.hypot(x - c, y - c) - r) < 0.1);
    }
    // The segments close up: total length ≈ 2πr.
    const len = segs.reduce((s, [x0, y0, x1, y1]) => s + Math.hypot(x1 - x0, y1 - y0), 0);
    assert.ok(Math.abs(len / (2 * Math.PI * r) - 1) < 0.02, `length ratio ${len / (2 * Math.PI * r)}`);
  }
  assert.deepEqual(contourSegments(values, n, 100), []);
});
