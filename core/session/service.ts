// The open session: every lab's state and tensors, the file it came from, and whether it has
// unsaved changes. Only this service writes session files.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EncodedArray, LabId, LabStates, SessionView } from '../contract.ts';
import { invalid, KairoError } from '../errors.ts';
import { encodeF32, encodeI32, encodeU8 } from './encode.ts';
import { addRecent } from './recent.ts';
import type { NamedTensor } from './safetensors.ts';
import {
  cleanStaleTemps,
  parseLab,
  readSession,
  tensorInfos,
  tensorsReferenced,
  writeSessionAtomic,
  type SessionDoc,
} from './session.ts';
import { own } from '../own.ts';
import { checkConsistency, checkTensors } from './check.ts';
import { LAB_IDS, defaultLabs } from '../labs/index.ts';

export class SessionService {
  private doc: SessionDoc = { labs: defaultLabs(), tensors: {} };
  private path: string | null = null;
  private dirty = false;
  private unsigned = false;

  /**
   * `remember`: files opened and saved go to the Recent list. The app's session does; the CLI's and
   * a sweep's runs' do not, so `--out` files of scripts do not crowd the user's list.
   */
  constructor(
    private readonly onChange: (v: SessionView) => void = () => {},
    private readonly remember = false,
  ) {}

  view(): SessionView {
    return {
      path: this.path,
      dirty: this.dirty,
      unsigned: this.unsigned,
      labs: structuredClone(this.doc.labs),
      tensors: tensorInfos(this.doc),
    };
  }

  get labs(): LabStates {
    return this.doc.labs;
  }

  update<K extends LabId>(lab: K, state: unknown): SessionView {
    if (!LAB_IDS.includes(lab)) throw invalid(`unknown lab "${String(lab)}"`);
    const parsed = parseLab(lab, state);
    const labs = { ...this.doc.labs, [lab]: parsed };
    // A state may only drop tensor references, never add ones the session lacks.
    const missing = tensorsReferenced(labs).find((n) => !own(this.doc.tensors, n));
    if (missing) throw invalid(`labs.${lab}: refers to tensor "${missing}", which this session lacks`);
    this.doc = pruned({ labs, tensors: this.doc.tensors });
    this.dirty = true;
    return this.view();
  }

  /** A session tensor in the contract's encoding, for display. */
  encoded(name: string): EncodedArray {
    const t = own(this.doc.tensors, name);
    if (!t) throw new KairoError('not_found', `this session has no tensor "${name}"`);
    if (t.data instanceof Uint8Array) return encodeU8(t.shape, t.data);
    if (t.data instanceof Int32Array) return encodeI32(t.shape, t.data);
    return encodeF32(t.shape, t.data); // float64 tensors travel as float32: they are for display
  }

  /** A session tensor, or undefined. Callers must not modify it. */
  tensor(name: string): NamedTensor | undefined {
    return own(this.doc.tensors, name);
  }

  /**
   * Stores a job's results: the lab's state and its tensors together. Tensors that no lab's state
   * refers to any more (an old run's, a cleared list's) are dropped, so files carry no dead weight.
   */
  store<K extends LabId>(
    lab: K,
    state: LabStates[K],
    tensors: Record<string, NamedTensor>,
    opts: { verify?: string } = {},
  ): void {
    const parsed = parseLab(lab, state);
    const doc = pruned({ labs: { ...this.doc.labs, [lab]: parsed }, tensors: { ...this.doc.tensors, ...tensors } });
    if (opts.verify) {
      checkConsistency(opts.verify, doc.labs, doc.tensors);
      // The lab's own tensors: the rest of the session is as it was.
      checkTensors(opts.verify, doc.labs, doc.tensors, (n) => n.startsWith(`${lab}.`));
    }
    this.doc = doc;
    this.dirty = true;
    this.onChange(this.view());
  }

  reset(): SessionView {
    this.doc = { labs: defaultLabs(), tensors: {} };
    this.path = null;
    this.dirty = false;
    this.unsigned = false;
    return this.view();
  }

  /** What a recovery copy needs: the whole document, its file and whether it has unsaved changes. */
  snapshot(): { doc: SessionDoc; path: string | null; dirty: boolean } {
    return { doc: this.doc, path: this.path, dirty: this.dirty };
  }

  /** Loads a recovery copy as the open session: still unsaved, and belonging to the file it was copied from. */
  restore(file: string, path: string | null): SessionView {
    const loaded = readSession(file);
    this.doc = { labs: loaded.labs, tensors: loaded.tensors };
    this.path = path;
    this.dirty = true;
    this.unsigned = !loaded.signed;
    return this.view();
  }

  /**
   * Saves to `path` (or the session's own file). With `overwrite: false`, another existing file is not
   * replaced: the caller is told (code 'exists') and may ask the user first.
   */
  save(path: string | null, overwrite = true): SessionView {
    const target = path ?? this.path;
    if (!target) throw invalid('this session has no file yet: choose where to save it');
    const abs = resolve(target.endsWith('.kairo') ? target : `${target}.kairo`);
    if (!overwrite && abs !== this.path && existsSync(abs)) throw new KairoError('exists', `${abs} already exists`);
    writeSessionAtomic(abs, this.doc);
    this.path = abs;
    this.dirty = false;
    this.unsigned = false;
    if (this.remember) addRecent(abs);
    return this.view();
  }

  open(path: string): SessionView {
    const abs = resolve(path);
    // Read and validate fully before touching the open session: a bad file changes nothing.
    const loaded = readSession(abs);
    cleanStaleTemps(abs);
    this.doc = { labs: loaded.labs, tensors: loaded.tensors };
    this.path = abs;
    this.dirty = false;
    this.unsigned = !loaded.signed;
    if (this.remember) addRecent(abs);
    return this.view();
  }
}

function pruned(doc: SessionDoc): SessionDoc {
  const keep = new Set(tensorsReferenced(doc.labs));
  return { labs: doc.labs, tensors: Object.fromEntries(Object.entries(doc.tensors).filter(([k]) => keep.has(k))) };
}
