/**
 * AWS Signature Version 4 over node:crypto, for the three JSON-protocol calls the receiver makes. Written by
 * hand instead of loading AWS SDK v3: the SDK's clients cost ~100 ms of cold start, this costs nothing
 * (see docs/benchmarks.md). Checked against AWS's published SigV4 test-suite vectors (tests/lambda/sigv4).
 */
import { createHash, createHmac } from "node:crypto";

/** Credentials from the Lambda environment; the session token is present for role credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What is signed. Header names may be in any case; `host` is derived from `url`. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly region: string;
  readonly service: string;
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

// RFC 3986 unreserved characters stay; everything else is %XX with uppercase hex, as SigV4 requires.
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(url: URL): string {
  const segments = url.pathname.split("/").map((segment) => uriEncode(decodeURIComponent(segment)));
  return segments.join("/") || "/";
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

/** `YYYYMMDDTHHMMSSZ`. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Returns the headers to send: the caller's headers (lower-cased) plus `host`, `x-amz-date`,
 * `x-amz-security-token` (with a session token) and `authorization`.
 *
 * @example
 * const headers = signRequest({ method: "POST", url, headers: { "content-type": "application/x-amz-json-1.1" },
 *   body, region: "eu-central-1", service: "secretsmanager" }, credentials, new Date());
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  now: Date,
): Record<string, string> {
  const stamp = amzDate(now);
  const day = stamp.slice(0, 8);
  const headers: Record<string, string> = { host: request.url.host, "x-amz-date": stamp };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (credentials.sessionToken !== undefined) headers["x-amz-security-token"] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const canonicalHeaders = names
    .map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(request.url),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join("\n");
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), request.region), request.service),
    "aws4_request",
  );
  const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
