/**
 * Identifiers and secrets in lemon.markets' shapes: a prefix plus 32 lowercase hex characters
 * (`wbh_…`, `evt_…`, `cusa_…`, `pers_…`), and 64-hex signature secrets. They come from the CSPRNG, never from
 * the seeded generator: two runs with the same seed must not share event ids (a receiver's dedupe table
 * outlives an emulator run) and secrets must not be guessable.
 */
import { randomBytes } from "node:crypto";

export type IdPrefix = "wbh_" | "evt_" | "cusa_" | "pers_";

/** Shape of every id the emulator issues. */
export const ID_PATTERN = /^(wbh|evt|cusa|pers)_[0-9a-f]{32}$/;

export function newId(prefix: IdPrefix): string {
  return prefix + randomBytes(16).toString("hex");
}

/** A webhook's `signature_secret`: 64 lowercase hex characters, like the spec's example. */
export function newSignatureSecret(): string {
  return randomBytes(32).toString("hex");
}
