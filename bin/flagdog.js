#!/usr/bin/env node
'use strict';
// flagdog checkpoint <featureKey> [--phase P] [--json] [--dry-run] | flagdog seed-runbook
require('./require-build')('flagdog')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
