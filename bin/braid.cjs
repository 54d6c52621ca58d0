#!/usr/bin/env node
// The `braid` command (package.json "bin"): the CLI in src/cli.ts, run through tsx.
require('tsx/cjs');
require('../src/cli.ts').runCli();
