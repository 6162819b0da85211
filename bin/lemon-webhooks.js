#!/usr/bin/env node
// The `lemon-webhooks` command. Which CLI module to run is components/shared/package-layout.ts's answer: in a
// checkout (sources present) the TypeScript source through ts-node, so it never runs a stale dist/ after an
// edit or a pull; an installed package ships no sources and runs the compiled CLI. This file only has to load
// that module the same way: its source in a checkout, its build (dist/components/shared/) when installed.
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const layoutSource = join(root, "components", "shared", "package-layout.ts");
const checkout = existsSync(layoutSource);
if (checkout) {
  require("ts-node").register({ transpileOnly: true, swc: true, project: join(root, "tsconfig.json") });
}
const layout = require(
  checkout ? layoutSource : join(root, "dist", "components", "shared", "package-layout.js"),
);
const cli = require(layout.moduleToLoad(root, "cli"));
cli.runCli(process.argv.slice(2), cli.processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lemon-webhooks failed: ${error instanceof Error ? error.name : "error"}\n`);
    process.exitCode = 1;
  },
);
