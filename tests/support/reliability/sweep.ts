/** Looks for secret values in captured text, in the encodings a careless log line or error would use. */

/** `secret` as plain text, base64, base64url, hex and JSON-escaped: any of them in a capture is a leak. */
export function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  return [
    secret,
    bytes.toString("base64"),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/**
 * Which of `captures` (name → text) contain which secret (name → value), in any encoding; `[]` when clean.
 *
 * @example
 * expect(leaks({ stdout }, { apiKey })).toEqual([]);
 */
export function leaks(
  captures: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): string[] {
  const found: string[] = [];
  for (const [captureName, text] of Object.entries(captures)) {
    for (const [secretName, value] of Object.entries(secrets)) {
      if (encodingsOf(value).some((encoded) => text.includes(encoded)))
        found.push(`${secretName} in ${captureName}`);
    }
  }
  return found;
}
