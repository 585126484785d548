/**
 * Summarises a V8 .cpuprofile without a GUI: self time by function, inclusive time by function
 * (each function counted once per sample, so recursion does not inflate it) and self time by
 * package/file. `node bench/.build/cpuprofile-summary.js <file.cpuprofile> [--top 30]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  selfByFunction: Array<[string, number]>;
  inclusiveByFunction: Array<[string, number]>;
  selfByPackage: Array<[string, number]>;
}

/** Where a frame's code lives: a package, the app's own file, node internals, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return 'app:' + url.slice(src + 10);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return 'bench:' + url.slice(bench + 7);
  return url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${packageOf(url, functionName)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ' ' + where : ''}`;
}

export function summarise(profile: Profile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number): void => {
    map.set(key, (map.get(key) ?? 0) + ms);
  };
  // Time of sample i: the delta to the next sample (the last one gets the mean).
  const deltas = profile.timeDeltas;
  const totalUs = profile.endTime - profile.startTime;
  const meanUs = profile.samples.length ? totalUs / profile.samples.length : 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (i + 1 < deltas.length ? deltas[i + 1] : meanUs) / 1000;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    add(self, label(node), ms);
    add(packages, packageOf(node.callFrame.url, node.callFrame.functionName), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const key = label(byId.get(id) as ProfileNode);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: totalUs / 1000,
    samples: profile.samples.length,
    selfByFunction: sorted(self),
    inclusiveByFunction: sorted(inclusive).filter(([key]) => key !== '(root)'),
    selfByPackage: sorted(packages),
  };
}

export function formatSummary(summary: ProfileSummary, top = 30): string {
  const pct = (ms: number) => ((100 * ms) / summary.totalMs).toFixed(1).padStart(5) + '%';
  const rows = (entries: Array<[string, number]>) =>
    entries
      .slice(0, top)
      .map(([key, ms]) => `  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${key}`)
      .join('\n');
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms, ${summary.samples} samples`,
    'self time by package/file:',
    rows(summary.selfByPackage),
    'self time by function:',
    rows(summary.selfByFunction),
    'inclusive time by function:',
    rows(summary.inclusiveByFunction),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/.build/cpuprofile-summary.js <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const topAt = process.argv.indexOf('--top');
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile), top));
}
