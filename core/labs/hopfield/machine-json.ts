// Machines and points as JSON files (`--machine M.json`, `--points X.json`, `--machine-out`), read
// through the regular-file reader and validated.
import { z } from 'zod';
import { makeMachine, type Machine } from '../../../models/hopfield/machine.ts';
import { invalid } from '../../errors.ts';
import { readRegularFile } from '../../files.ts';
import { parseOrThrow } from '../../validate.ts';

function readJson(path: string, what: string): unknown {
  // Regular files only, size-limited: a FIFO named here would otherwise hang the CLI.
  const text = readRegularFile(path, 512 * 1024 * 1024).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${path}: the ${what} is not valid JSON`);
  }
}

const row = z.array(z.number().finite()).min(1);
const machineJson = z.object({ W: z.array(row).min(1), b: row, c: z.array(z.number().finite()).min(1) }).strict();

export function machineFromJson(path: string): Machine {
  const m = parseOrThrow(machineJson, readJson(path, 'machine'), path);
  const nh = m.W.length;
  const nv = m.b.length;
  m.W.forEach((r, i) => {
    if (r.length !== nv) throw invalid(`${path}: W[${i}] has ${r.length} entries, b has ${nv}`);
  });
  if (m.c.length !== nh) throw invalid(`${path}: c has ${m.c.length} entries, W has ${nh} rows`);
  return makeMachine(m.W.flat(), m.b, m.c, nh, nv);
}

export function pointsFromJson(path: string, nv: number, allowMissing: boolean): (number | null)[][] {
  const entry = allowMissing ? z.number().finite().nullable() : z.number().finite();
  const pts = parseOrThrow(z.array(z.array(entry)).min(1), readJson(path, 'points'), path);
  pts.forEach((p, i) => {
    if (p.length !== nv) throw invalid(`${path}: point ${i} has ${p.length} values, the machine has N_v = ${nv}`);
  });
  return pts;
}

export function machineJsonOf(m: Machine): { W: number[][]; b: number[]; c: number[] } {
  return {
    W: Array.from({ length: m.nh }, (_, i) => Array.from(m.W.subarray(i * m.nv, (i + 1) * m.nv))),
    b: Array.from(m.b),
    c: Array.from(m.c),
  };
}
