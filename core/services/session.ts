// The open session: every lab's state and tensors, the file it came from, and whether it has
// unsaved changes. Only this service writes session files.
import { resolve } from 'node:path';
import type { LabId, LabStates, SessionView } from '../contract.ts';
import { invalid } from '../errors.ts';
import { addRecent } from '../session/recent.ts';
import type { NamedTensor } from '../session/safetensors.ts';
import { parseLab, readSession, tensorInfos, writeSessionAtomic, type SessionDoc } from '../session/session.ts';
import { LAB_IDS, defaultLabs } from './labs.ts';

export class SessionService {
  private doc: SessionDoc = { labs: defaultLabs(), tensors: {} };
  private path: string | null = null;
  private dirty = false;

  constructor(private readonly onChange: (v: SessionView) => void = () => {}) {}

  view(): SessionView {
    return { path: this.path, dirty: this.dirty, labs: structuredClone(this.doc.labs), tensors: tensorInfos(this.doc) };
  }

  get labs(): LabStates {
    return this.doc.labs;
  }

  update<K extends LabId>(lab: K, state: unknown): SessionView {
    if (!LAB_IDS.includes(lab)) throw invalid(`unknown lab "${String(lab)}"`);
    const parsed = parseLab(lab, state);
    this.doc.labs = { ...this.doc.labs, [lab]: parsed };
    this.dirty = true;
    return this.view();
  }

  /** A session tensor, or undefined. Callers must not modify it. */
  tensor(name: string): NamedTensor | undefined {
    return this.doc.tensors[name];
  }

  /**
   * Stores a job's results: the lab's state and its tensors together. Tensors whose names start
   * with `replacePrefix` are dropped first, so a new run leaves none of the old run's behind.
   */
  store<K extends LabId>(lab: K, state: LabStates[K], tensors: Record<string, NamedTensor>, replacePrefix?: string): void {
    const parsed = parseLab(lab, state);
    const kept = Object.fromEntries(Object.entries(this.doc.tensors).filter(([k]) => !replacePrefix || !k.startsWith(replacePrefix)));
    this.doc = { labs: { ...this.doc.labs, [lab]: parsed }, tensors: { ...kept, ...tensors } };
    this.dirty = true;
    this.onChange(this.view());
  }

  reset(): SessionView {
    this.doc = { labs: defaultLabs(), tensors: {} };
    this.path = null;
    this.dirty = false;
    return this.view();
  }

  save(path: string | null): SessionView {
    const target = path ?? this.path;
    if (!target) throw invalid('this session has no file yet: choose where to save it');
    const abs = resolve(target.endsWith('.kairo') ? target : `${target}.kairo`);
    writeSessionAtomic(abs, this.doc);
    this.path = abs;
    this.dirty = false;
    addRecent(abs);
    return this.view();
  }

  open(path: string): SessionView {
    const abs = resolve(path);
    // Read and validate fully before touching the open session: a bad file changes nothing.
    const loaded = readSession(abs);
    this.doc = { labs: loaded.labs, tensors: loaded.tensors };
    this.path = abs;
    this.dirty = false;
    addRecent(abs);
    return this.view();
  }
}
