/**
 * Jest globalSetup of the peer suite: provides moto (installed on first use), builds the Lambda bundles the
 * tests run, and starts one moto_server for every test file. Its endpoint reaches the workers through
 * `LEMON_PEERS_MOTO_ENDPOINT`.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { MOTO_ENDPOINT_ENV } from "./aws";
import { provideMoto, startMoto } from "./moto-server";

const ROOT = join(__dirname, "..", "..", "..");

export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-lambda.mjs")], { stdio: "inherit" });
  const moto = provideMoto();
  const started = Date.now();
  const server = await startMoto(moto);
  process.stderr.write(
    `[peers] moto_server ${moto.version} on ${server.endpoint} (pid ${server.pid}), up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.env[MOTO_ENDPOINT_ENV] = server.endpoint;
  (globalThis as { lemonPeersMoto?: typeof server }).lemonPeersMoto = server;
}
