// What a lab may do with the open session: read the labs' states and tensors, and store its own
// results. The core's SessionService is one; a lab is handed it through this narrow view and never
// imports the session service (or anything above it), so labs stay plug-ins of the core.
import type { LabId, LabStates, SessionView } from '../../contract.ts';
import type { NamedTensor } from '../../session/safetensors.ts';

export interface LabSession {
  readonly labs: LabStates;
  /** A session tensor, or undefined. Callers must not modify it. */
  tensor(name: string): NamedTensor | undefined;
  /**
   * Stores a lab's state and its tensors together (tensors no state refers to any more are dropped).
   * `verify`: first check the session as a loaded file is checked (its structure whole, the lab's
   * tensors' dtypes, shapes and values), and refuse (changing nothing) with the problem named after this label.
   */
  store<K extends LabId>(lab: K, state: LabStates[K], tensors: Record<string, NamedTensor>, opts?: { verify?: string }): void;
  view(): SessionView;
}
