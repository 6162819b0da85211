/** Jest globalTeardown of the peer suite: stops the moto_server globalSetup started. */
import type { MotoServer } from "./moto-server";

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { lemonPeersMoto?: MotoServer }).lemonPeersMoto?.stop();
}
