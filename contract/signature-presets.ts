/**
 * Named signature schemes for the common webhook families, and the parser that turns configuration (a
 * preset name, or a JSON object) into a validated {@link SignatureScheme}. Dependency-free: the receiver
 * bundle, the component (validation at `pulumi up`), the emulator and the CLI all use this one module.
 *
 * @example
 * parseSignatureScheme("hex-key");                                        // a preset
 * parseSignatureScheme('{"preset":"stripe-like","toleranceSeconds":600}'); // a preset with overrides
 * parseSignatureScheme({ encoding: "base64" });                           // overrides of lemon-default
 */
import { DEFAULT_SIGNATURE_SCHEME, DEFAULT_TOLERANCE_SECONDS, type SignatureScheme } from "./signature";

function scheme(fields: Partial<SignatureScheme>): SignatureScheme {
  const merged = { ...DEFAULT_SIGNATURE_SCHEME, ...fields };
  return Object.freeze({ ...merged, prefixes: Object.freeze([...merged.prefixes]) });
}

/**
 * The presets, in the order the probe tries them. Every one but `standard-webhooks` uses the header
 * lemon.markets names; they differ in what the published material leaves open.
 */
export const SIGNATURE_PRESETS = Object.freeze({
  /** The documented assumption: hex HMAC-SHA256 of the raw body, key = UTF-8 bytes of the secret. */
  "lemon-default": DEFAULT_SIGNATURE_SCHEME,
  /** As lemon-default, but the key is the 32 bytes the 64 hex characters of the secret encode. */
  "hex-key": scheme({ keyEncoding: "hex" }),
  /** Base64 HMAC-SHA256 of the raw body, UTF-8 key. */
  "base64-digest": scheme({ encoding: "base64" }),
  /** Base64 HMAC-SHA256 of the raw body, hex-decoded key. */
  "hex-key-base64-digest": scheme({ keyEncoding: "hex", encoding: "base64" }),
  /** GitHub-style `sha256=<hex>` of the raw body, UTF-8 key. */
  "sha256-prefixed": scheme({ prefixes: ["sha256="] }),
  /** Hex HMAC-SHA512 of the raw body, UTF-8 key. */
  sha512: scheme({ algorithm: "sha512" }),
  /** Stripe-like `t=<unix seconds>,v1=<hex>` over `<t>.<body>`, UTF-8 key, 5-minute replay window. */
  "stripe-like": scheme({ prefixes: ["v1="], signed: "timestamp.body" }),
  /**
   * Standard Webhooks (standardwebhooks.com): `webhook-signature: v1,<base64>` over `<id>.<t>.<body>`, id and
   * timestamp in `webhook-id` / `webhook-timestamp`, key = the base64 secret (`whsec_` prefix dropped).
   */
  "standard-webhooks": scheme({
    headerName: "webhook-signature",
    encoding: "base64",
    keyEncoding: "base64",
    prefixes: ["v1,"],
    signed: "id.timestamp.body",
    idHeader: "webhook-id",
    timestampHeader: "webhook-timestamp",
  }),
} satisfies Record<string, SignatureScheme>);

export type SignaturePresetName = keyof typeof SIGNATURE_PRESETS;

export const DEFAULT_SIGNATURE_PRESET: SignaturePresetName = "lemon-default";

export const SIGNATURE_PRESET_NAMES = Object.freeze(Object.keys(SIGNATURE_PRESETS) as SignaturePresetName[]);

/** Configuration as given: a preset name, a JSON object string, or the object itself. */
export type SignatureSchemeInput = string | SignatureSchemeObject;

/** A scheme as an object: `preset` (default lemon-default) plus any fields overriding it. */
export interface SignatureSchemeObject {
  readonly preset?: string;
  readonly headerName?: string;
  readonly algorithm?: string;
  readonly encoding?: string;
  readonly keyEncoding?: string;
  /** One accepted prefix; shorthand for `prefixes: [prefix]`. */
  readonly prefix?: string;
  readonly prefixes?: readonly string[];
  readonly signed?: string;
  readonly timestampHeader?: string;
  readonly idHeader?: string;
  readonly toleranceSeconds?: number;
}

const FIELDS = [
  "preset",
  "headerName",
  "algorithm",
  "encoding",
  "keyEncoding",
  "prefix",
  "prefixes",
  "signed",
  "timestampHeader",
  "idHeader",
  "toleranceSeconds",
] as const;

/** A bad scheme; the message names the field (`[signatureScheme.encoding] …`) and the fix. */
export class SignatureSchemeError extends TypeError {
  override readonly name = "SignatureSchemeError";
  /** The field the message names first (`signatureScheme.encoding`). */
  readonly field: string;
  /** The message after `[field] `. */
  readonly problem: string;

  constructor(message: string) {
    super(message);
    const match = /^\[([^\]]+)\] ([\s\S]*)$/.exec(message);
    this.field = match?.[1] ?? "signatureScheme";
    this.problem = match?.[2] ?? message;
  }
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const PREFIX = /^[\x21-\x7e]{0,16}$/;

function oneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new SignatureSchemeError(`[${where}] must be ${allowed.join(" or ")} (got ${show(value)})`);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function headerName(where: string, value: unknown): string {
  if (typeof value === "string" && TOKEN.test(value)) return value;
  throw new SignatureSchemeError(
    `[${where}] must be an HTTP header name (letters, digits, -; at most 100 characters), got ${show(value)}`,
  );
}

function presetByName(where: string, name: unknown): SignatureScheme {
  if (typeof name === "string" && Object.hasOwn(SIGNATURE_PRESETS, name)) {
    return SIGNATURE_PRESETS[name as SignaturePresetName];
  }
  throw new SignatureSchemeError(
    `[${where}] unknown signature scheme preset ${show(name)}; use one of ${SIGNATURE_PRESET_NAMES.join(", ")}, ` +
      `or a JSON object such as {"preset":"stripe-like","toleranceSeconds":600}`,
  );
}

function fromObject(field: string, input: Record<string, unknown>): SignatureScheme {
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new SignatureSchemeError(
        `[${field}.${key}] is not a signature scheme field; use ${FIELDS.join(", ")}`,
      );
    }
  }
  const at = (key: string) => `${field}.${key}`;
  const base =
    input.preset === undefined ? DEFAULT_SIGNATURE_SCHEME : presetByName(at("preset"), input.preset);
  if (input.prefix !== undefined && input.prefixes !== undefined) {
    throw new SignatureSchemeError(
      `[${at("prefix")}] and [${at("prefixes")}] cannot both be given; drop one`,
    );
  }
  let prefixes = base.prefixes;
  if (input.prefix !== undefined) prefixes = [input.prefix as string];
  if (input.prefixes !== undefined) {
    if (!Array.isArray(input.prefixes) || input.prefixes.length === 0 || input.prefixes.length > 4) {
      throw new SignatureSchemeError(
        `[${at("prefixes")}] must be a list of 1 to 4 strings, e.g. ["sha256="]`,
      );
    }
    prefixes = input.prefixes as string[];
  }
  const prefixField = input.prefix !== undefined ? at("prefix") : at("prefixes");
  for (const prefix of prefixes) {
    if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
      throw new SignatureSchemeError(
        `[${prefixField}] a prefix must be at most 16 printable characters without spaces, got ${show(prefix)}`,
      );
    }
  }
  const signed = oneOf(at("signed"), input.signed ?? base.signed, [
    "body",
    "timestamp.body",
    "id.timestamp.body",
  ] as const);
  const timestampHeader =
    input.timestampHeader ?? (signed === base.signed ? base.timestampHeader : undefined);
  const idHeader = input.idHeader ?? (signed === base.signed ? base.idHeader : undefined);
  const toleranceSeconds = input.toleranceSeconds ?? base.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== "number" || !Number.isInteger(toleranceSeconds)) {
    throw new SignatureSchemeError(
      `[${at("toleranceSeconds")}] must be a whole number of seconds (got ${show(toleranceSeconds)})`,
    );
  }
  if (toleranceSeconds < 1 || toleranceSeconds > 86_400) {
    throw new SignatureSchemeError(
      `[${at("toleranceSeconds")}] must be from 1 to 86400 seconds (got ${toleranceSeconds})`,
    );
  }
  const result: SignatureScheme = {
    headerName: headerName(at("headerName"), input.headerName ?? base.headerName),
    algorithm: oneOf(at("algorithm"), input.algorithm ?? base.algorithm, ["sha256", "sha512"] as const),
    encoding: oneOf(at("encoding"), input.encoding ?? base.encoding, ["hex", "base64"] as const),
    keyEncoding: oneOf(at("keyEncoding"), input.keyEncoding ?? base.keyEncoding, [
      "utf8",
      "hex",
      "base64",
    ] as const),
    prefixes,
    signed,
    ...(timestampHeader === undefined
      ? {}
      : { timestampHeader: headerName(at("timestampHeader"), timestampHeader) }),
    ...(idHeader === undefined ? {} : { idHeader: headerName(at("idHeader"), idHeader) }),
    toleranceSeconds,
  };
  return checkConsistent(field, result);
}

function checkConsistent(field: string, s: SignatureScheme): SignatureScheme {
  const at = (key: string) => `${field}.${key}`;
  if (s.signed === "body" && (s.timestampHeader !== undefined || s.idHeader !== undefined)) {
    throw new SignatureSchemeError(
      `[${at(s.idHeader !== undefined ? "idHeader" : "timestampHeader")}] only applies when a timestamp is signed; ` +
        `drop it or set signed to "timestamp.body" or "id.timestamp.body"`,
    );
  }
  if (s.signed === "timestamp.body" && s.idHeader !== undefined) {
    throw new SignatureSchemeError(`[${at("idHeader")}] only applies to signed "id.timestamp.body"; drop it`);
  }
  if (s.signed === "id.timestamp.body" && (s.idHeader === undefined || s.timestampHeader === undefined)) {
    throw new SignatureSchemeError(
      `[${at(s.idHeader === undefined ? "idHeader" : "timestampHeader")}] is required with signed "id.timestamp.body", ` +
        `e.g. "webhook-id" and "webhook-timestamp"`,
    );
  }
  if (s.signed === "timestamp.body" && s.timestampHeader === undefined) {
    // The timestamp is the `t=` element of the signature header, so a signature must be told apart from it.
    if (s.prefixes.some((prefix) => prefix === "" || prefix.startsWith("t="))) {
      throw new SignatureSchemeError(
        `[${at("prefixes")}] with the timestamp in a t= element of the signature header, every signature needs a ` +
          `prefix other than "" and "t=", e.g. ["v1="]; or set timestampHeader`,
      );
    }
  }
  const headers = [s.headerName, s.timestampHeader, s.idHeader].filter((h) => h !== undefined);
  if (new Set(headers.map((h) => h.toLowerCase())).size !== headers.length) {
    throw new SignatureSchemeError(
      `[${field}] headerName, timestampHeader and idHeader must be different headers`,
    );
  }
  return Object.freeze({ ...s, prefixes: Object.freeze([...s.prefixes]) });
}

/**
 * Turns configuration into a validated scheme: undefined or "" → lemon-default; a preset name; a JSON object
 * string (from stack config or an environment variable); or an object. Throws a
 * {@link SignatureSchemeError} naming the field, e.g. `[signatureScheme.encoding] must be hex or base64`.
 */
export function parseSignatureScheme(
  input: SignatureSchemeInput | undefined,
  field = "signatureScheme",
): SignatureScheme {
  if (input === undefined) return DEFAULT_SIGNATURE_SCHEME;
  if (typeof input === "string") {
    const text = input.trim();
    if (text === "") return DEFAULT_SIGNATURE_SCHEME;
    if (!/^[[{]/.test(text)) return presetByName(field, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SignatureSchemeError(
        `[${field}] is not valid JSON (${(error as Error).message}); give a preset name ` +
          `(${SIGNATURE_PRESET_NAMES.join(", ")}) or a JSON object`,
      );
    }
    return parseSignatureScheme(parsed as SignatureSchemeInput, field);
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new SignatureSchemeError(
      `[${field}] must be a preset name (${SIGNATURE_PRESET_NAMES.join(", ")}) or an object (got ${show(input)})`,
    );
  }
  return fromObject(field, input as Record<string, unknown>);
}

function sameScheme(a: SignatureScheme, b: SignatureScheme): boolean {
  return (
    a.headerName.toLowerCase() === b.headerName.toLowerCase() &&
    a.algorithm === b.algorithm &&
    a.encoding === b.encoding &&
    a.keyEncoding === b.keyEncoding &&
    a.prefixes.length === b.prefixes.length &&
    a.prefixes.every((prefix, i) => prefix === b.prefixes[i]) &&
    a.signed === b.signed &&
    a.timestampHeader?.toLowerCase() === b.timestampHeader?.toLowerCase() &&
    a.idHeader?.toLowerCase() === b.idHeader?.toLowerCase() &&
    (a.signed === "body" || a.toleranceSeconds === b.toleranceSeconds)
  );
}

/** The preset `scheme` is (field by field), or undefined for a custom scheme. */
export function presetNameOf(scheme: SignatureScheme): SignaturePresetName | undefined {
  return SIGNATURE_PRESET_NAMES.find((name) => sameScheme(SIGNATURE_PRESETS[name], scheme));
}

/**
 * The scheme as one configuration string (what goes into the receiver's environment): the preset name when it
 * is one, else compact JSON. `parseSignatureScheme(formatSignatureScheme(s))` equals `s`.
 */
export function formatSignatureScheme(scheme: SignatureScheme): string {
  const name = presetNameOf(scheme);
  if (name !== undefined) return name;
  const { headerName, algorithm, encoding, keyEncoding, prefixes, signed, timestampHeader, idHeader } =
    scheme;
  return JSON.stringify({
    headerName,
    algorithm,
    encoding,
    keyEncoding,
    prefixes,
    signed,
    ...(timestampHeader === undefined ? {} : { timestampHeader }),
    ...(idHeader === undefined ? {} : { idHeader }),
    toleranceSeconds: scheme.toleranceSeconds,
  });
}
