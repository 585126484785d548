/**
 * Summarises a V8 sampling heap profile (.heapprofile, `HeapProfiler.stopSampling`) taken with the
 * objects that minor and major GCs collected kept in: where the bytes a workload allocates come
 * from, garbage included (what makes the GC run), by allocating function (self) and by package/file.
 * Divided by a count (`--per N`, e.g. the messages relayed), it gives bytes per message.
 *   node bench/.build/allocation-summary.js <file.heapprofile> [--per N] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { packageOf } from './cpuprofile-summary';

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface AllocationSummary {
  totalBytes: number;
  selfByFunction: Array<[string, number]>;
  selfByPackage: Array<[string, number]>;
  /** Self bytes by allocating function and its caller: which call site of a shared helper allocates. */
  selfByCallSite: Array<[string, number]>;
}

function label(frame: SamplingNode['callFrame']): string {
  const where = frame.url ? `${packageOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where ? ' ' + where : ''}`;
}

export function summariseAllocations(profile: { head: SamplingNode }): AllocationSummary {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byCallSite = new Map<string, number>();
  let totalBytes = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const visit = (node: SamplingNode, caller: string) => {
    const self = label(node.callFrame);
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      add(byFunction, self, node.selfSize);
      add(byPackage, packageOf(node.callFrame.url, node.callFrame.functionName), node.selfSize);
      add(byCallSite, `${self}  <-  ${caller}`, node.selfSize);
    }
    for (const child of node.children) visit(child, self);
  };
  visit(profile.head, '(root)');
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return { totalBytes, selfByFunction: sorted(byFunction), selfByPackage: sorted(byPackage), selfByCallSite: sorted(byCallSite) };
}

/** `per`: divide by this count (bytes per message); 0 or absent: total bytes. */
export function formatAllocations(summary: AllocationSummary, top = 25, per = 0): string {
  const unit = per > 0 ? 'B/msg' : 'KiB';
  const amount = (bytes: number) => (per > 0 ? (bytes / per).toFixed(1) : (bytes / 1024).toFixed(0)).padStart(9);
  const pct = (bytes: number) => ((100 * bytes) / summary.totalBytes).toFixed(1).padStart(5) + '%';
  const rows = (entries: Array<[string, number]>) =>
    entries
      .slice(0, top)
      .map(([key, bytes]) => `  ${pct(bytes)} ${amount(bytes)} ${unit}  ${key}`)
      .join('\n');
  return [
    `allocated (sampled, garbage included): ${amount(summary.totalBytes).trim()} ${unit}`,
    'by package/file:',
    rows(summary.selfByPackage),
    'by allocating function:',
    rows(summary.selfByFunction),
    'by allocating function  <-  caller:',
    rows(summary.selfByCallSite),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/.build/allocation-summary.js <file.heapprofile> [--per N] [--top N]');
    process.exit(2);
  }
  const option = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
  };
  console.log(formatAllocations(summariseAllocations(JSON.parse(readFileSync(file, 'utf8'))), option('--top', 25), option('--per', 0)));
}
