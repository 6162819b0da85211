#!/usr/bin/env node
// The `lemon-webhooks` command. In a checkout (cli/main.ts present) it runs the TypeScript source through
// ts-node, so it never runs a stale dist/ after an edit or a pull; an installed package ships no sources and
// runs the compiled CLI (dist/cli/main.js).
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const source = join(root, "cli", "main.ts");
let cli;
if (existsSync(source)) {
  require("ts-node").register({ transpileOnly: true, swc: true, project: join(root, "tsconfig.json") });
  cli = require(source);
} else {
  cli = require(join(root, "dist", "cli", "main.js"));
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
