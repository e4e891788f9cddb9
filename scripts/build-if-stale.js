'use strict';
// `npm start` builds only when something the build reads changed since the last build: a fresh
// clone builds once, later starts begin at once. `npm run build` ends by writing the stamp.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = [
  'src',
  'console',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];
const skipped = new Set(['node_modules', 'dist', '.vite', 'coverage']);

function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (!skipped.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built > 0 && changed <= built) {
  process.stdout.write('flagdog: build is up to date\n');
} else {
  process.stdout.write(
    built === 0 ? 'flagdog: building (first start)…\n' : 'flagdog: sources changed since the last build; rebuilding…\n',
  );
  // The build script writes the stamp (`--stamp`) as its last step.
  execSync('npm run --silent build', { cwd: root, stdio: 'inherit' });
}
