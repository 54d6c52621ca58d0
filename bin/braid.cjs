#!/usr/bin/env node
// The `braid` command (package.json "bin"): the CLI in src/cli.ts, run through tsx.
require('tsx/cjs');
const { main } = require('../src/cli.ts');
main(process.argv.slice(2), {
  env: process.env,
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
  progress: process.stderr,
}).then((code) => {
  process.exitCode = code;
});
