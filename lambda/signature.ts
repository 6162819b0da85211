/**
 * The one place the lemon.markets webhook signature scheme lives.
 *
 * lemon.markets names the header (`Lemon-Markets-Signature`) and says the value is computed with the
 * webhook's `signature_secret`, but the published material does not give the algorithm. We assume the
 * common scheme below; every parameter of it is a field of {@link SignatureScheme}, so adapting to the real
 * scheme is a change of {@link DEFAULT_SIGNATURE_SCHEME} (or a scheme passed in), not of the callers.
 *
 * Default: lowercase hex HMAC-SHA256, key = UTF-8 bytes of `signature_secret`, message = the raw request
 * body bytes, no prefix. The emulator signs with {@link sign}; the receiver verifies with {@link verify}.
 *
 * @example
 * const header = sign(rawBody, secret);              // emulator side
 * verify(rawBody, header, [currentSecret, previous]); // receiver side: true | false, never throws
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignatureScheme {
  /** HTTP header carrying the signature; looked up case-insensitively by receivers. */
  readonly headerName: string;
  /** HMAC digest algorithm (a name `node:crypto` accepts). */
  readonly algorithm: "sha256" | "sha512";
  /** How the MAC bytes are written in the header. */
  readonly encoding: "hex" | "base64";
  /** How the `signature_secret` string becomes key bytes. */
  readonly keyEncoding: "utf8" | "hex";
  /** A literal prefix before the MAC (e.g. `"sha256="`); empty for none. */
  readonly prefix: string;
}

export const DEFAULT_SIGNATURE_SCHEME: SignatureScheme = Object.freeze({
  headerName: "Lemon-Markets-Signature",
  algorithm: "sha256",
  encoding: "hex",
  keyEncoding: "utf8",
  prefix: "",
});

/**
 * A header can carry several signatures separated by commas or spaces (the sender signing with both the
 * old and the new secret during a rotation); more than this many is hostile input, not a rotation.
 */
export const MAX_SIGNATURES_PER_HEADER = 8;

/** Longest header value worth looking at; anything longer is rejected before any MAC is computed. */
export const MAX_SIGNATURE_HEADER_LENGTH = 1024;

function mac(body: Uint8Array | string, secret: string, scheme: SignatureScheme): Buffer {
  return createHmac(scheme.algorithm, Buffer.from(secret, scheme.keyEncoding)).update(body).digest();
}

/** Signs `body` exactly as lemon.markets is assumed to: returns the header value. */
export function sign(
  body: Uint8Array | string,
  secret: string,
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
): string {
  return scheme.prefix + mac(body, secret, scheme).toString(scheme.encoding);
}

// Strict decoders: Buffer.from(x, "hex") silently stops at the first bad character, which would let
// "c964…zz" verify as its valid prefix; we want a malformed value to be simply "no match". Hex case carries
// no information, and the real scheme is unpublished, so upper-case hex is accepted too.
const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decode(candidate: string, scheme: SignatureScheme): Buffer | undefined {
  if (!candidate.startsWith(scheme.prefix)) return undefined;
  const text = candidate.slice(scheme.prefix.length);
  if (scheme.encoding === "hex")
    return HEX.test(text) && text.length % 2 === 0 ? Buffer.from(text, "hex") : undefined;
  return BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, "base64") : undefined;
}

/**
 * True when any signature in `header` is a valid MAC of `body` under any of `secrets`.
 * Never throws: a missing, empty, oversized or malformed header is simply `false`. Comparison is constant
 * time and length-checked (a short candidate is rejected before `timingSafeEqual`, which would throw).
 */
export function verify(
  body: Uint8Array | string,
  header: string | undefined,
  secrets: readonly string[],
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
): boolean {
  if (typeof header !== "string" || header.length === 0 || header.length > MAX_SIGNATURE_HEADER_LENGTH) {
    return false;
  }
  const candidates = header
    .split(/[\s,]+/)
    .filter((part) => part.length > 0)
    .slice(0, MAX_SIGNATURES_PER_HEADER)
    .map((part) => decode(part, scheme))
    .filter((bytes): bytes is Buffer => bytes !== undefined);
  if (candidates.length === 0) return false;
  let matched = false;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const expected = mac(body, secret, scheme);
    for (const candidate of candidates) {
      // Keep going after a match so the time taken does not reveal which secret or signature matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
