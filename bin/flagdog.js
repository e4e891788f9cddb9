#!/usr/bin/env node
'use strict';
// flagdog checkpoint <featureKey> [--phase P] [--json]  (the same as beta-monitor-dog)
const [command, ...rest] = process.argv.slice(2);
if (command !== 'checkpoint') {
  process.stderr.write('usage: flagdog checkpoint <featureKey> [--phase <phase>] [--json]\n');
  process.exit(3);
}
require('../dist/src/cli/beta-monitor-dog.js')
  .main(rest)
  .then((code) => process.exit(code));
