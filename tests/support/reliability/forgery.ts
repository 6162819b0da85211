/**
 * Hostile and malformed deliveries for the forgery property (tests/reliability/forgery.test.ts and
 * `npm run stress`): random and mutated bodies, headers and signatures sent to the real handler (the
 * production `createHandler(buildAwsReceiver)` on the local stand-ins), judged by an oracle that does not
 * use the receiver's verifier: a 200 is allowed only when the header carries the exact signature of the
 * bytes the receiver decodes.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "../../../lambda/receiver/apigw";
import { sign } from "../../../contract/signature";

/** The secret the receiver under test verifies with. */
export const FORGERY_SECRET = "whsec-reliability-7d41c0e9b25f48a3a6e1";
/** Another webhook's secret: an attacker who has one secret must not reach another receiver. */
export const OTHER_SECRET = "whsec-other-webhook-0b9e6f2d13c84f77a5c2";

/** How the body travels: honestly as text or base64, or with the base64 flag lying either way. */
export type Transport = "text" | "base64" | "base64-sent-as-text" | "text-flagged-base64";

/** One generated request, before it becomes an API Gateway event. */
export interface ForgeryCase {
  readonly method: string;
  readonly bytes: Uint8Array;
  readonly transport: Transport;
  /** Header name → value; several spellings of the signature header may appear at once. */
  readonly headers: Readonly<Record<string, string>>;
  /** What the attack did, for the failure message and the stress report. */
  readonly attack: string;
}

/** The shapes the receiver may answer with; anything else would be a leak or an unplanned path. */
const ALLOWED_BODY_KEYS = new Set(["status", "error", "reason", "limit_bytes"]);

const EVENT_TYPES = ["account.created", "order.executed", "withdrawal.created", "made.up_type"] as const;

/** A well-formed event envelope (id unique per case, so valid controls are forwarded, not duplicates). */
const eventText = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    context: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 3 }),
  })
  .map(({ type, context }) =>
    JSON.stringify({
      id: `evt_${randomUUID().replaceAll("-", "")}`,
      type,
      created_at: "2023-06-29T14:40:30.523373+00:00",
      context,
    }),
  );

const bodyBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: eventText.map((text) => Buffer.from(text, "utf8")) },
  // Arbitrary bytes: mostly invalid UTF-8, NUL bytes, lone surrogates' encodings.
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => Buffer.from(s, "utf8")),
  },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
);

function flipOneChar(value: string, index: number): string {
  const at = index % Math.max(1, value.length);
  const char = value[at] ?? "0";
  const replacement = char === "0" ? "1" : "0";
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

/** Signature header values derived from the true signature of `bytes`, or from nothing at all. */
function signatureAttacks(bytes: Uint8Array): fc.Arbitrary<{ value: string | undefined; attack: string }> {
  const valid = sign(bytes, FORGERY_SECRET);
  const mac = Buffer.from(valid, "hex");
  return fc.oneof(
    fc.constant({ value: valid, attack: "valid (control)" }),
    fc.constant({ value: sign(bytes, OTHER_SECRET), attack: "other webhook's secret" }),
    fc.constant({ value: undefined, attack: "no header" }),
    fc.constant({ value: "", attack: "empty header" }),
    fc.integer({ min: 0, max: 63 }).map((n) => ({ value: valid.slice(0, n), attack: "truncated" })),
    fc.nat().map((i) => ({ value: flipOneChar(valid, i), attack: "one character changed" })),
    // Hex case carries no information, so the receiver accepts it: a control, not an attack.
    fc.constant({ value: valid.toUpperCase(), attack: "upper-case hex (valid)" }),
    fc.constant({ value: mac.toString("base64"), attack: "base64 instead of hex" }),
    fc.constant({ value: `sha256=${valid}`, attack: "prefixed" }),
    fc.constant({ value: `${valid}00`, attack: "extended" }),
    eventText.map((other) => ({
      value: sign(other, FORGERY_SECRET),
      attack: "replayed signature of another event",
    })),
    fc
      .integer({ min: 1_025, max: 64_000 })
      .map((n) => ({ value: `${valid} ${"a".repeat(n)}`, attack: "huge header carrying the signature" })),
    fc.constant({
      value: [...Array.from({ length: 8 }, (_, i) => sign(`decoy-${i}`, FORGERY_SECRET)), valid].join(","),
      attack: "signature hidden behind 8 decoys",
    }),
    fc.string({ maxLength: 200 }).map((value) => ({ value, attack: "random string" })),
    fc.string({ unit: "binary", maxLength: 80 }).map((value) => ({ value, attack: "random unicode" })),
  );
}

/** The spellings under which the signature header is sent (API Gateway lower-cases; be liberal). */
const headerNames = fc.constantFrom<readonly string[]>(
  ["lemon-markets-signature"],
  ["Lemon-Markets-Signature"],
  ["LEMON-MARKETS-SIGNATURE"],
  ["lemon-markets-signature", "Lemon-Markets-Signature"],
  ["x-lemon-markets-signature"],
);

/** Generated cases; `count` runs of it is the forgery property. */
export const forgeryCase: fc.Arbitrary<ForgeryCase> = fc
  .record({
    bytes: bodyBytes,
    transport: fc.constantFrom<Transport>("text", "base64", "base64-sent-as-text", "text-flagged-base64"),
    method: fc.oneof({ weight: 9, arbitrary: fc.constant("POST") }, fc.constantFrom("GET", "PUT", "post")),
    names: headerNames,
    extra: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ maxLength: 100 }), {
      maxKeys: 3,
    }),
  })
  .chain(({ bytes, transport, method, names, extra }) =>
    signatureAttacks(bytes).map(({ value, attack }) => {
      const headers: Record<string, string> = { ...extra, "content-type": "application/json" };
      if (value !== undefined) for (const name of names) headers[name] = value;
      return { method, bytes, transport, headers, attack };
    }),
  );

/** The body and flag the receiver gets for `c`. */
function wire(c: ForgeryCase): { body: string | undefined; isBase64Encoded: boolean } {
  const bytes = Buffer.from(c.bytes);
  if (bytes.length === 0) return { body: undefined, isBase64Encoded: false };
  switch (c.transport) {
    case "text":
      return { body: bytes.toString("utf8"), isBase64Encoded: false };
    case "base64":
      return { body: bytes.toString("base64"), isBase64Encoded: true };
    case "base64-sent-as-text":
      return { body: bytes.toString("base64"), isBase64Encoded: false };
    case "text-flagged-base64":
      return { body: bytes.toString("utf8"), isBase64Encoded: true };
  }
}

/** The API Gateway v2 event for `c`, as the local adapter or API Gateway would build it. */
export function toEvent(c: ForgeryCase): ApiGatewayV2Event {
  const { body, isBase64Encoded } = wire(c);
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "ANY /webhooks/lemon-markets",
    rawPath: "/webhooks/lemon-markets",
    rawQueryString: "",
    headers: c.headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: {
        method: c.method,
        path: "/webhooks/lemon-markets",
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.9",
        userAgent: "forger",
      },
      requestId: randomUUID(),
      routeKey: "ANY /webhooks/lemon-markets",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded,
  };
}

/**
 * Whether `c` is authentic by the oracle: POST, and the signature of the decoded bytes is present (as hex,
 * in either case).
 */
export function isAuthentic(c: ForgeryCase): boolean {
  if (c.method.toUpperCase() !== "POST") return false;
  const { body, isBase64Encoded } = wire(c);
  const decoded = Buffer.from(body ?? "", isBase64Encoded ? "base64" : "utf8");
  const wanted = sign(decoded, FORGERY_SECRET);
  // The header as the receiver sees it: every spelling of the name, comma-joined.
  const header = Object.entries(c.headers)
    .filter(([name]) => name.toLowerCase() === "lemon-markets-signature")
    .map(([, value]) => value)
    .join(",");
  // The receiver looks at most at the first 1,024 characters' worth of header and 8 signatures in it.
  if (header.length === 0 || header.length > 1_024) return false;
  return header
    .split(/[\s,]+/)
    .filter((part) => part.length > 0)
    .slice(0, 8)
    .some((part) => part.toLowerCase() === wanted);
}

/** What went wrong with one answer; empty when the answer is acceptable. */
export function violations(c: ForgeryCase, outcome: ApiGatewayV2Result | Error): string[] {
  if (outcome instanceof Error) return [`handler threw ${outcome.name}`];
  const problems: string[] = [];
  const authentic = isAuthentic(c);
  if (outcome.statusCode === 200 && !authentic) problems.push("forged request answered 200");
  if (outcome.statusCode >= 500) problems.push(`answered ${outcome.statusCode}`);
  const text = outcome.body ?? "";
  if (text.includes(FORGERY_SECRET) || text.includes(OTHER_SECRET)) problems.push("body contains a secret");
  const { body, isBase64Encoded } = wire(c);
  const expected = sign(Buffer.from(body ?? "", isBase64Encoded ? "base64" : "utf8"), FORGERY_SECRET);
  if (text.includes(expected) || text.includes(expected.slice(0, 16)))
    problems.push("body contains the expected signature");
  if (/\bat .+:\d+:\d+|Error:|node_modules|\/lambda\//.test(text))
    problems.push("body contains a stack trace");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push("body is not JSON");
  }
  if (typeof parsed === "object" && parsed !== null) {
    const unknownKeys = Object.keys(parsed).filter((key) => !ALLOWED_BODY_KEYS.has(key));
    if (unknownKeys.length > 0) problems.push(`body has unexpected fields ${unknownKeys.join(",")}`);
  }
  return problems;
}
