#!/usr/bin/env node
'use strict';
// Runs one beta monitor checkpoint: beta-monitor-dog <featureKey> [--phase P] [--json]
require('../dist/src/cli/beta-monitor-dog.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
