/**
 * Analysis aid for BENCHMARKS.md (memory, issue 14): what a worker heap snapshot holds, grouped by
 * node type and constructor / name (self sizes, like the "Summary" view of Chrome's DevTools), and,
 * given two snapshots (e.g. N = 100 and N = 300 open positions), what grew between them, per position.
 *
 *   npx tsx bench/heap-summary.ts a.heapsnapshot [b.heapsnapshot --positions 200] [--top 40]
 *
 * Snapshots come from `npm run bench -- --heap-snapshot-dir <d>` (worker started with
 * --heapsnapshot-signal). Parsing needs ~3× the file in memory: run with NODE_OPTIONS=--max-old-space-size=8192.
 */
import { readFileSync } from 'node:fs';
import { arg } from '../config/argv';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  size: number;
}

function summarize(file: string): { total: number; groups: Map<string, Group> } {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const groups = new Map<string, Group>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const size = s.nodes[i + iSize]!;
    total += size;
    let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : s.strings[s.nodes[i + iName]!]!;
    if (type === 'code' || type === 'hidden' || type === 'array') name = name.slice(0, 60);
    if (name.length > 80) name = `${name.slice(0, 77)}...`;
    const key = `${type} ${name}`;
    const g = groups.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += size;
    groups.set(key, g);
  }
  return { total, groups };
}

const MB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const KB = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

function main() {
  const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const top = Number(arg('top') ?? 40);
  const a = summarize(files[0]!);
  console.log(`${files[0]}: ${MB(a.total)} in ${[...a.groups.values()].reduce((x, g) => x + g.count, 0)} objects`);
  const rows = [...a.groups.entries()].sort((x, y) => y[1].size - x[1].size).slice(0, top);
  for (const [k, g] of rows) console.log(`  ${MB(g.size).padStart(11)}  ${String(g.count).padStart(8)}  ${k}`);
  if (!files[1]) return;
  const positions = Number(arg('positions') ?? 1);
  const b = summarize(files[1]);
  console.log(`\n${files[1]}: ${MB(b.total)}; grew ${MB(b.total - a.total)} = ${KB((b.total - a.total) / positions)} per position (${positions} positions more)`);
  const keys = new Set([...a.groups.keys(), ...b.groups.keys()]);
  const deltas = [...keys].map((k) => {
    const x = a.groups.get(k) ?? { count: 0, size: 0 };
    const y = b.groups.get(k) ?? { count: 0, size: 0 };
    return { k, size: y.size - x.size, count: y.count - x.count };
  });
  deltas.sort((x, y) => y.size - x.size);
  for (const d of deltas.slice(0, top)) console.log(`  ${KB(d.size / positions).padStart(11)}/pos  ${(d.count / positions).toFixed(1).padStart(8)}/pos  ${d.k}`);
}

main();
