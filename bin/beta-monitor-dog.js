#!/usr/bin/env node
'use strict';
// Runs one beta monitor checkpoint: beta-monitor-dog <featureKey> [--phase P] [--json] [--dry-run]
require('./require-build')('beta-monitor-dog')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
