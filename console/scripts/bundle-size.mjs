// Prints the gzipped size of the JavaScript the first page loads (index.html's module script and
// what it imports statically) and fails the build above the budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [
  ...html.matchAll(/<script[^>]*src="\/admin\/([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/admin\/([^"]+)"/g),
].map((m) => m[1]);
let total = 0;
for (const file of new Set(scripts)) {
  const gz = gzipSync(readFileSync(join(dist, file))).length;
  total += gz;
  console.log(`  ${file}: ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const kb = total / 1024;
console.log(`console first-page JavaScript: ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (kb > BUDGET_KB) {
  console.error('The console bundle is over budget.');
  process.exit(1);
}
