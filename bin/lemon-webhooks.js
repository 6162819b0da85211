#!/usr/bin/env node
// The `lemon-webhooks` command. An installed package runs the compiled CLI (dist/cli/main.js); a checkout
// without a build runs the TypeScript source through ts-node (a devDependency), so `npx lemon-webhooks`
// works in both.
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const compiled = join(__dirname, "..", "dist", "cli", "main.js");
let cli;
if (existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("ts-node").register({
    transpileOnly: true,
    swc: true,
    project: join(__dirname, "..", "tsconfig.json"),
  });
  cli = require(join(__dirname, "..", "cli", "main.ts"));
}
cli.runCli(process.argv.slice(2), cli.processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lemon-webhooks failed: ${error instanceof Error ? error.name : "error"}\n`);
    process.exitCode = 1;
  },
);
