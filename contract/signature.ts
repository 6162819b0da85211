/**
 * The one place the lemon.markets webhook signature scheme lives (presets and the config parser are in
 * `signature-presets.ts`, the receiver's probe in `signature-probe.ts`; all three are dependency-free).
 *
 * lemon.markets names the header (`Lemon-Markets-Signature`) and says the value is computed with the
 * webhook's `signature_secret`, but the published material does not give the algorithm. We assume the
 * common scheme below; every parameter of it is a field of {@link SignatureScheme}, so adapting to the real
 * scheme is configuration (the component's `signatureScheme`), not a change of the callers.
 *
 * Default ({@link DEFAULT_SIGNATURE_SCHEME}, preset `lemon-default`): lowercase hex HMAC-SHA256, key = UTF-8
 * bytes of `signature_secret`, message = the raw request body bytes, no prefix. The emulator signs with
 * {@link signHeaders}; the receiver verifies with {@link verifyRequest}.
 *
 * @example
 * const headers = signHeaders(rawBody, secret, scheme, { nowMs: Date.now() });          // sender side
 * verifyRequest({ body: rawBody, headers }, [currentSecret, previous], scheme, Date.now()); // true | false
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** What the MAC is computed over. */
export type SignedContent =
  /** The raw body bytes. */
  | "body"
  /** `<timestamp>.<body>` (Stripe-like); the timestamp is a `t=` element of the signature header, or a header. */
  | "timestamp.body"
  /** `<id>.<timestamp>.<body>` (Standard Webhooks); id and timestamp come from their own headers. */
  | "id.timestamp.body";

export interface SignatureScheme {
  /** HTTP header carrying the signature(s); looked up case-insensitively. */
  readonly headerName: string;
  /** HMAC digest algorithm (a name `node:crypto` accepts). */
  readonly algorithm: "sha256" | "sha512";
  /** How the MAC bytes are written in the header. */
  readonly encoding: "hex" | "base64";
  /**
   * How the `signature_secret` string becomes key bytes: its UTF-8 bytes, the bytes its hex encodes, or the
   * bytes its base64 encodes (a Standard Webhooks `whsec_` prefix is dropped first).
   */
  readonly keyEncoding: "utf8" | "hex" | "base64";
  /**
   * Literal prefixes accepted before a MAC (`"sha256="`, `"v1="`, `"v1,"`); `[""]` for none. The first one is
   * what {@link signHeaders} writes. When a prefix contains a comma, signatures are separated by whitespace
   * only (Standard Webhooks: `v1,<mac> v1,<mac>`); otherwise by commas and/or whitespace.
   */
  readonly prefixes: readonly string[];
  /** What is signed. */
  readonly signed: SignedContent;
  /**
   * Header holding the Unix timestamp (seconds) when one is signed. Absent with `timestamp.body`: the
   * timestamp is the `t=` element of the signature header (`t=1700000000,v1=<mac>`).
   */
  readonly timestampHeader?: string;
  /** Header holding the message id, for `id.timestamp.body` only. */
  readonly idHeader?: string;
  /** When a timestamp is signed: a request more than this many seconds old or in the future is rejected. */
  readonly toleranceSeconds: number;
}

export const DEFAULT_SIGNATURE_SCHEME: SignatureScheme = Object.freeze({
  headerName: "Lemon-Markets-Signature",
  algorithm: "sha256",
  encoding: "hex",
  keyEncoding: "utf8",
  prefixes: Object.freeze([""]),
  signed: "body",
  toleranceSeconds: 300,
});

/** Replay window of the timestamped presets: 5 minutes, as Stripe and Standard Webhooks use. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * A header can carry several signatures separated by commas or spaces (the sender signing with both the
 * old and the new secret during a rotation); only the first this many elements (a `t=` element included)
 * are looked at: more is hostile input, not a rotation.
 */
export const MAX_SIGNATURES_PER_HEADER = 8;

/** Longest header value worth looking at; anything longer is rejected before any MAC is computed. */
export const MAX_SIGNATURE_HEADER_LENGTH = 1024;

/** Longest id header accepted (Standard Webhooks ids are short); longer is "no match". */
export const MAX_ID_HEADER_LENGTH = 256;

/** A request as far as signing is concerned: the raw body and its headers (names in any case). */
export interface SignedRequest {
  readonly body: Uint8Array | string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Looks `name` up case-insensitively; repeated headers (several keys differing in case) are comma-joined. */
export function headerValue(headers: SignedRequest["headers"], name: string): string | undefined {
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (key.toLowerCase() !== wanted || typeof v !== "string") continue;
    value = value === undefined ? v : `${value},${v}`;
  }
  return value;
}

// Strict decoders: Buffer.from(x, "hex") silently stops at the first bad character, which would let
// "c964…zz" verify as its valid prefix; we want a malformed value to be simply "no match". Hex case carries
// no information, and the real scheme is unpublished, so upper-case hex is accepted too.
const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;
const WHSEC = "whsec_";

function strictDecode(text: string, encoding: "hex" | "base64", canonical = true): Buffer | undefined {
  if (encoding === "hex")
    return HEX.test(text) && text.length % 2 === 0 ? Buffer.from(text, "hex") : undefined;
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  // Signatures are canonical only: base64's last character may carry unused bits, so "…+I=" and "…+J="
  // decode alike; a signature that is not exactly the encoding of its bytes is not accepted. (Keys are
  // configuration, not attacker input: any well-formed base64 key is taken.)
  const bytes = Buffer.from(text, "base64");
  return !canonical || bytes.toString("base64") === text ? bytes : undefined;
}

/** Key bytes of `secret` under the scheme; undefined when the secret is not valid in that encoding. */
export function keyBytes(secret: string, scheme: Pick<SignatureScheme, "keyEncoding">): Buffer | undefined {
  if (secret.length === 0) return undefined;
  if (scheme.keyEncoding === "utf8") return Buffer.from(secret, "utf8");
  const text =
    scheme.keyEncoding === "base64" && secret.startsWith(WHSEC) ? secret.slice(WHSEC.length) : secret;
  const key = strictDecode(text, scheme.keyEncoding, false);
  return key !== undefined && key.length > 0 ? key : undefined;
}

function mac(key: Buffer, scheme: SignatureScheme, body: Uint8Array | string, signedPrefix: string): Buffer {
  const hmac = createHmac(scheme.algorithm, key);
  if (signedPrefix.length > 0) hmac.update(signedPrefix, "utf8");
  return hmac.update(body).digest();
}

/** Options of {@link signHeaders}: the clock and, for Standard Webhooks, the message id. */
export interface SignOptions {
  /** Epoch milliseconds; the signed timestamp is its whole seconds. Default `Date.now()`. */
  readonly nowMs?: number;
  /** Message id for `id.timestamp.body`; default the event id in the body, else `msg_<timestamp>`. */
  readonly id?: string;
}

function defaultId(body: Uint8Array | string, timestamp: string): string {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const match = /"id"\s*:\s*"([^"\\]{1,200})"/.exec(text.slice(0, 4096));
  return match?.[1] ?? `msg_${timestamp}`;
}

/**
 * Signs `body` as the scheme says: returns every header the receiver needs (the signature header, plus the
 * id and timestamp headers when the scheme uses them). Throws a TypeError when `secret` is not valid in the
 * scheme's key encoding.
 */
export function signHeaders(
  body: Uint8Array | string,
  secret: string,
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
  options: SignOptions = {},
): Record<string, string> {
  const key = keyBytes(secret, scheme);
  if (key === undefined) {
    throw new TypeError(
      `the signature secret is not valid ${scheme.keyEncoding} (keyEncoding of the scheme)`,
    );
  }
  const prefix = scheme.prefixes[0] ?? "";
  if (scheme.signed === "body") {
    return { [scheme.headerName]: prefix + mac(key, scheme, body, "").toString(scheme.encoding) };
  }
  const timestamp = String(Math.floor((options.nowMs ?? Date.now()) / 1000));
  if (scheme.signed === "timestamp.body") {
    const signature = prefix + mac(key, scheme, body, `${timestamp}.`).toString(scheme.encoding);
    if (scheme.timestampHeader === undefined) return { [scheme.headerName]: `t=${timestamp},${signature}` };
    return { [scheme.headerName]: signature, [scheme.timestampHeader]: timestamp };
  }
  const id = options.id ?? defaultId(body, timestamp);
  const signature = prefix + mac(key, scheme, body, `${id}.${timestamp}.`).toString(scheme.encoding);
  return {
    [scheme.idHeader ?? "webhook-id"]: id,
    [scheme.timestampHeader ?? "webhook-timestamp"]: timestamp,
    [scheme.headerName]: signature,
  };
}

/**
 * Signs `body` and returns the signature header's value: today's API, for schemes whose signature header
 * carries everything (`body`, or `timestamp.body` with a `t=` element). Throws a TypeError for a scheme that
 * needs other headers; use {@link signHeaders} there.
 */
export function sign(
  body: Uint8Array | string,
  secret: string,
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
  options: SignOptions = {},
): string {
  if (
    scheme.timestampHeader !== undefined ||
    scheme.idHeader !== undefined ||
    scheme.signed === "id.timestamp.body"
  ) {
    throw new TypeError("this scheme signs into several headers: use signHeaders()");
  }
  return signHeaders(body, secret, scheme, options)[scheme.headerName]!;
}

/** Splits a signature header into elements, the way the scheme's prefixes require. */
function elements(header: string, scheme: SignatureScheme): string[] {
  const separator = scheme.prefixes.some((prefix) => prefix.includes(",")) ? /\s+/ : /[\s,]+/;
  return header
    .split(separator)
    .filter((part) => part.length > 0)
    .slice(0, MAX_SIGNATURES_PER_HEADER);
}

const DIGEST_BYTES = { sha256: 32, sha512: 64 } as const;

/**
 * Candidate MACs in the header: well-formed, with an accepted prefix (longest prefix tried first), and of the
 * algorithm's digest length (a MAC of any other length cannot match, so it costs no HMAC).
 */
function candidates(parts: readonly string[], scheme: SignatureScheme): Buffer[] {
  const prefixes = [...scheme.prefixes].sort((a, b) => b.length - a.length);
  const found: Buffer[] = [];
  for (const part of parts) {
    for (const prefix of prefixes) {
      if (!part.startsWith(prefix)) continue;
      const bytes = strictDecode(part.slice(prefix.length), scheme.encoding);
      if (bytes !== undefined && bytes.length === DIGEST_BYTES[scheme.algorithm]) {
        found.push(bytes);
        break;
      }
    }
  }
  return found;
}

/** The bytes signed before the body (`""`, `"<t>."` or `"<id>.<t>."`), or undefined when the request lacks them. */
function signedPrefixOf(
  request: SignedRequest,
  parts: readonly string[],
  scheme: SignatureScheme,
  nowMs: number,
): string | undefined {
  if (scheme.signed === "body") return "";
  const timestamp =
    scheme.timestampHeader === undefined
      ? parts.find((part) => part.startsWith("t="))?.slice(2)
      : headerValue(request.headers, scheme.timestampHeader)?.trim();
  if (timestamp === undefined || !TIMESTAMP.test(timestamp)) return undefined;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > scheme.toleranceSeconds) return undefined;
  if (scheme.signed === "timestamp.body") return `${timestamp}.`;
  const id = headerValue(request.headers, scheme.idHeader ?? "webhook-id")?.trim();
  if (id === undefined || id.length === 0 || id.length > MAX_ID_HEADER_LENGTH) return undefined;
  return `${id}.${timestamp}.`;
}

/**
 * What a request offers under a scheme before any MAC is computed: the candidate signatures and the signed
 * prefix, or undefined when it cannot verify (missing, oversized or malformed header, missing or stale
 * timestamp). Cheap; used by the probe to skip schemes without spending an HMAC.
 */
export function parseSignedRequest(
  request: SignedRequest,
  scheme: SignatureScheme,
  nowMs: number,
): { readonly candidates: readonly Buffer[]; readonly signedPrefix: string } | undefined {
  const header = headerValue(request.headers, scheme.headerName);
  if (header === undefined || header.length === 0 || header.length > MAX_SIGNATURE_HEADER_LENGTH)
    return undefined;
  const parts = elements(header, scheme);
  const found = candidates(parts, scheme);
  if (found.length === 0) return undefined;
  const signedPrefix = signedPrefixOf(request, parts, scheme, nowMs);
  return signedPrefix === undefined ? undefined : { candidates: found, signedPrefix };
}

/**
 * True when any signature of the request is a valid MAC under any of `secrets` (a secret invalid in the key
 * encoding is skipped). Never throws: anything missing, oversized, malformed or outside the tolerance window
 * is simply `false`. Comparison is constant time and length-checked (a short candidate is rejected before
 * `timingSafeEqual`, which would throw). Costs at most one HMAC per secret.
 */
export function verifyRequest(
  request: SignedRequest,
  secrets: readonly string[],
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
  nowMs: number = Date.now(),
): boolean {
  try {
    const parsed = parseSignedRequest(request, scheme, nowMs);
    if (parsed === undefined) return false;
    let matched = false;
    for (const secret of secrets) {
      const key = typeof secret === "string" ? keyBytes(secret, scheme) : undefined;
      if (key === undefined) continue;
      const expected = mac(key, scheme, request.body, parsed.signedPrefix);
      for (const candidate of parsed.candidates) {
        // Keep going after a match so the time taken does not reveal which secret or signature matched.
        if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
      }
    }
    return matched;
  } catch {
    return false;
  }
}

/**
 * Today's API: true when any signature in `header` (the scheme's signature header) is a valid MAC of `body`.
 * For schemes that need other headers use {@link verifyRequest}.
 */
export function verify(
  body: Uint8Array | string,
  header: string | undefined,
  secrets: readonly string[],
  scheme: SignatureScheme = DEFAULT_SIGNATURE_SCHEME,
  nowMs: number = Date.now(),
): boolean {
  if (typeof header !== "string") return false;
  return verifyRequest({ body, headers: { [scheme.headerName]: header } }, secrets, scheme, nowMs);
}
