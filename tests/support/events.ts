/** Signed delivery fixtures. */
import type { ReceiveRequest } from "../../lambda/receiver/receive";
import { sign } from "../../contract/signature";

export const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
export const OLD_SECRET = "0ld5ecret0ld5ecret0ld5ecret0ld5ecret0ld5ecret0ld5ecret0ld5ecret00";

/** The event of the setup guide. */
export const EVENT = {
  id: "evt_a8b11a37eccc49ecacb372e3a92a184d",
  type: "account.created",
  created_at: "2023-06-29T14:40:30.523373+00:00",
  context: { account: "cusa_33531f7f801d4ce997747470ab7208fd" },
} as const;

export const BODY = JSON.stringify(EVENT);

/** An event body with its own id. */
export function eventBody(id: string, type = "account.created"): string {
  return JSON.stringify({ ...EVENT, id, type });
}

/** A POST signed with `secret` (header name as API Gateway delivers it: lower-cased). */
export function signedRequest(body: string = BODY, secret: string = SECRET): ReceiveRequest {
  return {
    method: "POST",
    headers: { "content-type": "application/json", "lemon-markets-signature": sign(body, secret) },
    body,
    isBase64Encoded: false,
    requestId: "req-1",
  };
}
