// A field network's specification and the shapes of its layers, without TensorFlow.js, for the
// session's load-time checks in the process that serves the UI.

export interface FieldNetSpec {
  inputDim: number;
  width: number;
  classes: number;
  maxpool: boolean;
  sigmaW: number;
  sigmaB: number;
}

export function layerShapes(s: FieldNetSpec): [string, number[]][] {
  const out: [string, number[]][] = [
    ['W1', [s.inputDim, s.width]],
    ['b1', [s.width]],
  ];
  if (!s.maxpool) out.push(['W2', [s.width, s.width]], ['b2', [s.width]]);
  out.push(['Wout', [s.width, s.classes]], ['bout', [s.classes]]);
  return out;
}
