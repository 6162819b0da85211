/**
 * Jest globalSetup of the peer suite: builds the Lambda bundles the tests run (a copy of this run's build),
 * provides moto (installed on first use) and starts one moto_server for every test file. The endpoint and the
 * bundles' directory reach the workers through the environment.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MOTO_ENDPOINT_ENV } from "./aws";
import { BUNDLE_NAMES, BUNDLES_DIR_ENV } from "./bundles";
import { provideMoto, startMoto } from "./moto-server";

const ROOT = join(__dirname, "..", "..", "..");

/**
 * Builds the bundles and copies them into a directory of this run: other runs in the same checkout rebuild
 * dist/lambda-bundle while this one loads them, and a file caught mid-write exports nothing. A copy counts
 * only once it loads and exports `handler`.
 */
function snapshotBundles(): string {
  const dir = mkdtempSync(join(tmpdir(), "lemon-peers-bundles-"));
  for (let attempt = 1; ; attempt += 1) {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build-lambda.mjs")], { stdio: "inherit" });
    const copies = BUNDLE_NAMES.map((name) => {
      mkdirSync(join(dir, name), { recursive: true });
      const copy = join(dir, name, "index.js");
      copyFileSync(join(ROOT, "dist", "lambda-bundle", name, "index.js"), copy);
      return copy;
    });
    const loads = copies.every(
      (copy) =>
        spawnSync(process.execPath, [
          "-e",
          `process.exit(typeof require(${JSON.stringify(copy)}).handler === "function" ? 0 : 1)`,
        ]).status === 0,
    );
    if (loads) return dir;
    if (attempt === 5) throw new Error(`the built bundles in ${dir} do not export a handler after 5 builds`);
  }
}

export default async function globalSetup(): Promise<void> {
  process.env[BUNDLES_DIR_ENV] = snapshotBundles();
  const moto = provideMoto();
  const started = Date.now();
  const server = await startMoto(moto);
  process.stderr.write(
    `[peers] moto_server ${moto.version} on ${server.endpoint} (pid ${server.pid}), up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.env[MOTO_ENDPOINT_ENV] = server.endpoint;
  (globalThis as { lemonPeersMoto?: typeof server }).lemonPeersMoto = server;
}
