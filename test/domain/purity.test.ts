import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * The domain core must stay pure: it may import only other domain files (./x), `decimal.js`, and
 * types (`import type`, erased at compile time). No Temporal, Prisma, ccxt, zod values, node: modules,
 * fs, http; no clock or randomness.
 */
const DIR = join(__dirname, '..', '..', 'domain');
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('domain purity', () => {
  test('there are domain files', () => expect(files.length).toBeGreaterThan(5));
  test.each(files)('%s imports only relative domain files, decimal.js, or types', (f) => {
    const src = stripComments(readFileSync(join(DIR, f), 'utf8'));
    const bad: string[] = [];
    const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+['"]([^'"]+)['"]/gm;
    const statements = [...src.matchAll(re)];
    // every `from '…'` in the file must belong to a recognised import/export statement
    expect(statements.length).toBe([...src.matchAll(/\bfrom\s+['"][^'"]+['"]/g)].length);
    for (const m of statements) {
      const isType = Boolean(m[2]);
      const spec = m[4]!;
      if (isType) continue;
      if (spec === 'decimal.js') continue;
      if (/^\.\/[\w-]+$/.test(spec)) continue;
      bad.push(`${m[1]} ${spec}`);
    }
    for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) bad.push(`side-effect import ${m[1]}`);
    if (/\brequire\s*\(/.test(src)) bad.push('require()');
    if (/\bimport\s*\(/.test(src)) bad.push('dynamic import()');
    if (/\bDate\.now\s*\(/.test(src)) bad.push('Date.now()');
    if (/\bnew Date\(\s*\)/.test(src)) bad.push('new Date()');
    if (/\bMath\.random\s*\(/.test(src)) bad.push('Math.random()');
    if (/\bprocess\./.test(src)) bad.push('process.*');
    if (/\b(setTimeout|setInterval)\s*\(/.test(src)) bad.push('timers');
    expect(bad).toEqual([]);
  });
  test('the checker catches a forbidden import', () => {
    const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+['"]([^'"]+)['"]/gm;
    const src = `export type A = { x: number };\nimport { z } from 'zod';\nimport type { X } from '@temporalio/workflow';\nexport * from './money';`;
    const specs = [...src.matchAll(re)].map((m) => [Boolean(m[2]), m[4]]);
    expect(specs).toEqual([
      [false, 'zod'],
      [true, '@temporalio/workflow'],
      [false, './money'],
    ]);
  });
});
