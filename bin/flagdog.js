#!/usr/bin/env node
'use strict';
// flagdog checkpoint <featureKey> [--phase P] [--json] | flagdog seed-runbook
require('../dist/src/cli/flagdog.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
