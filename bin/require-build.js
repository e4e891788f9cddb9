'use strict';
// Loads a compiled CLI module, or says in one line what to run when the project is not built yet.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

module.exports = function requireBuild(name) {
  const file = join(__dirname, '..', 'dist', 'src', 'cli', `${name}.js`);
  if (!existsSync(file)) {
    process.stderr.write(`flagdog is not built yet: run "npm run build" in ${join(__dirname, '..')} first.\n`);
    process.exit(3);
  }
  return require(file);
};
