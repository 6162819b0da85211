/** Jest globalTeardown of the peer suite: stops the moto_server globalSetup started, removes the bundle copies. */
import { rmSync } from "node:fs";
import { BUNDLES_DIR_ENV } from "./bundles";
import type { MotoServer } from "./moto-server";

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { lemonPeersMoto?: MotoServer }).lemonPeersMoto?.stop();
  const dir = process.env[BUNDLES_DIR_ENV];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
