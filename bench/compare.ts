/**
 * A before/after table from two or more bench result files (bench/results/*.json), in markdown: for
 * each figure, the app and baseline medians and the app/baseline ratio of each file, with the ratio's
 * min–max over the repetitions. A later file's figures replace an earlier one's (e.g. a workload rerun
 * on its own): pass them as `before.json+before-idle.json`.
 *   node bench/.build/compare.js <before.json[+more.json]> <after.json[+more.json]> [--labels before,after]
 */
import { readFileSync } from 'node:fs';

interface Spread {
  median: number;
  min: number;
  max: number;
}

interface SummaryRow {
  workload: string;
  metric: string;
  label: string;
  digits: number;
  app?: Spread;
  baseline?: Spread;
  ratio?: Spread;
  target?: string;
  met?: boolean;
}

function load(spec: string): Map<string, SummaryRow> {
  const rows = new Map<string, SummaryRow>();
  for (const file of spec.split('+')) {
    const summary = (JSON.parse(readFileSync(file, 'utf8')) as { summary: SummaryRow[] }).summary;
    for (const row of summary) if (row.app || row.baseline) rows.set(`${row.workload}/${row.metric}`, row);
  }
  return rows;
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

function ratio(row: SummaryRow | undefined): string {
  const r = row?.ratio;
  if (!r || !Number.isFinite(r.median)) return '–';
  return `${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`;
}

export function compare(specs: string[], labels: string[]): string {
  const files = specs.map(load);
  const keys: string[] = [];
  for (const rows of files) for (const key of rows.keys()) if (!keys.includes(key)) keys.push(key);
  const header = ['figure', ...labels.flatMap((label) => [`${label}: app`, `${label}: baseline`, `${label}: ratio`]), 'target'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const key of keys) {
    const any = files.map((rows) => rows.get(key)).find(Boolean)!;
    const last = [...files].reverse().map((rows) => rows.get(key)).find(Boolean)!;
    const cells = files.flatMap((rows) => {
      const row = rows.get(key);
      return [fixed(row?.app?.median, any.digits), fixed(row?.baseline?.median, any.digits), ratio(row)];
    });
    const target = last.target ? `${last.target}: ${last.met ? 'met' : '**missed**'}` : '';
    const label = any.label.startsWith(`${any.workload}:`) ? any.label : `${any.workload}: ${any.label}`;
    lines.push(`| ${label} | ${cells.join(' | ')} | ${target} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--labels');
  const labels = at >= 0 ? args.splice(at, 2)[1].split(',') : [];
  if (args.length < 2) {
    console.error('usage: node bench/.build/compare.js <before.json[+more.json]> <after.json[+more.json]> … [--labels before,after]');
    process.exit(2);
  }
  console.log(compare(args, args.map((_, i) => labels[i] ?? `#${i + 1}`)));
}
