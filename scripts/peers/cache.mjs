// Shared plumbing for the peer providers: where peers are cached, timed progress lines, clear failures.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Outside the repo, so a clean clone reuses what an earlier run built. Override with LEMON_PEERS_CACHE. */
export function cacheDir() {
  return process.env.LEMON_PEERS_CACHE ?? join(homedir(), ".cache", "lemon-webhooks-peers");
}

/** The pinned versions (scripts/peers/versions.json). */
export function versions() {
  return JSON.parse(readFileSync(new URL("./versions.json", import.meta.url), "utf8"));
}

/** Runs `fn`, printing what it does and how long it took (to stderr, so stdout stays machine-readable). */
export async function step(label, fn) {
  const started = Date.now();
  process.stderr.write(`[peers] ${label} …\n`);
  const result = await fn();
  process.stderr.write(`[peers] ${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/** A failure that says what is missing and how to get it; thrown instead of a stack from deep inside a tool. */
export class PeerError extends Error {
  constructor(message) {
    super(message);
    this.name = "PeerError";
  }
}

/** Runs a command, inheriting stderr; a failure names the command and the fix. */
export function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
  } catch (error) {
    throw new PeerError(`\`${command} ${args.join(" ")}\` failed (${error.message.split("\n")[0]})${options.hint ? `: ${options.hint}` : ""}`);
  }
}
