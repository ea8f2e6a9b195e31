/** The parts of V8's .cpuprofile format (written by node --cpu-prof) that the summary reads. */
export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

function isNode(v: unknown): v is CpuProfileNode {
  if (!isObject(v) || typeof v.id !== 'number' || !isObject(v.callFrame)) return false;
  const f = v.callFrame;
  const childrenOk = v.children === undefined || (Array.isArray(v.children) && v.children.every((c) => typeof c === 'number'));
  return childrenOk && typeof f.functionName === 'string' && typeof f.url === 'string' && typeof f.lineNumber === 'number';
}

/** Parses and checks a .cpuprofile; a file of another shape is an error, not a silent empty summary. */
export function parseCpuProfile(text: string): CpuProfile {
  const raw: unknown = JSON.parse(text);
  if (!isObject(raw) || !Array.isArray(raw.nodes) || !raw.nodes.every(isNode) || !isNumberArray(raw.samples) || !isNumberArray(raw.timeDeltas)) {
    throw new Error('not a V8 CPU profile (.cpuprofile): nodes, samples or timeDeltas missing');
  }
  if (typeof raw.startTime !== 'number' || typeof raw.endTime !== 'number') throw new Error('not a V8 CPU profile: startTime/endTime missing');
  return { nodes: raw.nodes, samples: raw.samples, timeDeltas: raw.timeDeltas, startTime: raw.startTime, endTime: raw.endTime };
}
