/**
 * What a V8 heap snapshot holds, by constructor (objects), function name (closures) or node type,
 * and optionally what grew between two snapshots divided by a count (e.g. bytes per connection):
 *   node bench/.build/heap-summary.js after.heapsnapshot [before.heapsnapshot --per N] [--top 40]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Histogram = Map<string, { count: number; bytes: number }>;

export function histogram(file: string): Histogram {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const result: Histogram = new Map();
  for (let i = 0; i < heap.nodes.length; i += stride) {
    const type = types[heap.nodes[i + typeAt]];
    const name = heap.strings[heap.nodes[i + nameAt]];
    const key =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type === 'object' ? '' : `(${type}) `}${name.length > 60 ? name.slice(0, 57) + '...' : name}`
        : `(${type})`;
    const entry = result.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += heap.nodes[i + sizeAt];
    result.set(key, entry);
  }
  return result;
}

/** Growth between two snapshots divided by `per`, largest first. */
export function formatHeapGrowth(afterFile: string, beforeFile: string | undefined, per: number, top: number): string {
  const after = histogram(afterFile);
  const before = beforeFile ? histogram(beforeFile) : new Map<string, { count: number; bytes: number }>();
  const rows = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: (a.count - b.count) / per, bytes: (a.bytes - b.bytes) / per };
  });
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  const lines = [`heap ${beforeFile ? 'growth' : 'content'}${per !== 1 ? ` per 1 of ${per}` : ''}: ${total.toFixed(0)} bytes`];
  for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, top)) {
    lines.push(`${r.bytes.toFixed(0).padStart(10)} B ${r.count.toFixed(2).padStart(9)} x  ${r.key}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const files = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (files.length === 0) {
    console.error('usage: node bench/.build/heap-summary.js after.heapsnapshot [before.heapsnapshot --per N] [--top 40]');
    process.exit(2);
  }
  console.log(formatHeapGrowth(files[0], files[1], option('--per', 1), option('--top', 40)));
}
