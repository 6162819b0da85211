/**
 * Known-answer vectors for every signature preset, computed OUTSIDE the code with openssl 3.0 (commands
 * beside each value; `$SECRET` and `$BODY` are the constants below, `printf '%s'` so no newline is signed).
 * The Standard Webhooks vector is also the specification's own example (standard-webhooks/standard-webhooks).
 */
import type { SignaturePresetName } from "../../contract/signature-presets";

/** A 64-hex `signature_secret`, as lemon.markets and the emulator issue them. */
export const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
export const BODY =
  '{"id":"evt_a8b11a37eccc49ecacb372e3a92a184d","type":"account.created","created_at":"2023-06-29T14:40:30.523373+00:00","context":{"account":"cusa_33531f7f801d4ce997747470ab7208fd"}}';
/** Timestamp signed by the timestamped presets (2023-11-14T22:13:20Z). */
export const TIMESTAMP = 1_700_000_000;
export const EVENT_ID = "evt_a8b11a37eccc49ecacb372e3a92a184d";

export interface Vector {
  /** Every header the request carries. */
  readonly headers: Readonly<Record<string, string>>;
}

export const VECTORS: Readonly<Record<SignaturePresetName, Vector>> = {
  // printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
  "lemon-default": {
    headers: {
      "Lemon-Markets-Signature": "c964a9682da412f0f852feb417a0743b92ecc43b6efed2d5f53cdf9291e783e2",
    },
  },
  // printf '%s' "$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$SECRET
  "hex-key": {
    headers: {
      "Lemon-Markets-Signature": "cec318a0c7ac51eafc0de7b69da1653f3e7bd31b01da9077274efb1f1b06fd8d",
    },
  },
  // printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
  "base64-digest": { headers: { "Lemon-Markets-Signature": "yWSpaC2kEvD4Uv60F6B0O5LsxDtu/tLV9TzfkpHng+I=" } },
  // printf '%s' "$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$SECRET -binary | base64
  "hex-key-base64-digest": {
    headers: { "Lemon-Markets-Signature": "zsMYoMesUer8Dee2naFlPz570xsB2pB3J077HxsG/Y0=" },
  },
  // printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"   (with the literal prefix sha256=)
  "sha256-prefixed": {
    headers: {
      "Lemon-Markets-Signature": "sha256=c964a9682da412f0f852feb417a0743b92ecc43b6efed2d5f53cdf9291e783e2",
    },
  },
  // printf '%s' "$BODY" | openssl dgst -sha512 -hmac "$SECRET"
  sha512: {
    headers: {
      "Lemon-Markets-Signature":
        "85610fe28f381ba14f1fd1cb58110eb0470a8e7617aa699457ddff7afb1b3616b7f21684469e4b5a027145250eca0c7fd2e358a8cb700f46b5e8c9c9cd1eed07",
    },
  },
  // printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
  "stripe-like": {
    headers: {
      "Lemon-Markets-Signature":
        "t=1700000000,v1=788df18561d0b3984102c264c73b70d6ec1f2b5b135f7f45208815cceebb344b",
    },
  },
  // K=$(printf '%s' "$SECRET" | base64 -d | xxd -p -c 256)   (the secret's base64 decoding is the key)
  // printf '%s' "evt_a8b11a37eccc49ecacb372e3a92a184d.1700000000.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$K -binary | base64
  "standard-webhooks": {
    headers: {
      "webhook-id": EVENT_ID,
      "webhook-timestamp": "1700000000",
      "webhook-signature": "v1,BXKhNoflp0vxEJ1Dtn86k4jEX/r2M7ipm8BpD0iCrzc=",
    },
  },
};

/**
 * The Standard Webhooks specification's example, recomputed with openssl:
 * K=$(printf '%s' MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 256)
 * printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$K -binary | base64
 */
export const STANDARD_WEBHOOKS_SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  body: '{"test": 2432232314}',
  headers: {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  },
  nowMs: 1_614_265_330_000,
} as const;
