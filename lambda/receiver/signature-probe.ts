/**
 * The probe that names the scheme lemon.markets really uses. When a delivery fails verification with the
 * configured scheme, the receiver checks it against the other presets with the same secrets; when exactly
 * one matches, the operator is told which, and the one config command that selects it. The response does not
 * change (still 401).
 *
 * Bounded: presets whose headers the request does not carry (or carries malformed, or with a stale timestamp)
 * cost nothing; each remaining preset costs one HMAC per secret, so a rejected request costs at most
 * `(presets − 1) × MAX_PROBE_SECRETS` HMACs over at most `MAX_PROBE_BODY_BYTES`. A {@link TokenBucket} caps how
 * many requests are probed per minute, so a flood of forgeries costs a bounded number of HMACs.
 *
 * A forged request matches no preset (that would be an HMAC forgery), so the probe tells an attacker nothing:
 * its answer is not in the response, and its log line names only a preset. Never the secret, the signature,
 * or the body.
 *
 * @example
 * const probe = new SchemeProbe({ clock });
 * const result = probe.run({ body, headers }, secrets, configuredScheme);
 * if (result.outcome === "matched") logger.warn(probeLogRecord(result.preset));
 */
import { parseSignedRequest, type SignatureScheme, type SignedRequest, verifyRequest } from "../../contract/signature";
import {
  presetNameOf,
  SIGNATURE_PRESET_NAMES,
  SIGNATURE_PRESETS,
  type SignaturePresetName,
} from "../../contract/signature-presets";

/** Secrets tried per preset: the current one and, during a rotation, the previous one. */
export const MAX_PROBE_SECRETS = 2;

/** Bodies larger than this are not probed (lemon.markets events are well under 4 KiB). */
export const MAX_PROBE_BODY_BYTES = 64 * 1024;

/** Default rate: a burst of 10 probes, then 10 per minute (per Lambda instance). */
export const DEFAULT_PROBE_BURST = 10;
export const DEFAULT_PROBES_PER_MINUTE = 10;

/** The stack config key the probe's command sets. */
export const SIGNATURE_SCHEME_CONFIG_KEY = "lemon-webhooks:signatureScheme";

/** The exact command that selects `preset` on the stack. */
export function schemeConfigCommand(preset: string): string {
  return `pulumi config set ${SIGNATURE_SCHEME_CONFIG_KEY} ${preset}`;
}

/** Upper bound of the HMACs one probe computes with `presets` candidates (the configured one excluded). */
export function maxProbeHmacs(presets: number = SIGNATURE_PRESET_NAMES.length): number {
  return Math.max(0, presets - 1) * MAX_PROBE_SECRETS;
}

export interface ProbeOptions {
  /** Epoch ms for timestamped presets' tolerance window. */
  readonly nowMs: number;
  /** Presets to try, in order; default all. */
  readonly presets?: readonly SignaturePresetName[];
}

function bodyLength(body: Uint8Array | string): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.length;
}

/**
 * The presets (other than the configured scheme) a request could verify under, judged without any HMAC:
 * those whose signature header is present and well-formed, with a fresh timestamp where one is signed.
 * Empty for oversized bodies. Never throws.
 */
export function probeCandidates(
  request: SignedRequest,
  configured: SignatureScheme,
  options: ProbeOptions,
): SignaturePresetName[] {
  try {
    if (bodyLength(request.body) > MAX_PROBE_BODY_BYTES) return [];
    const own = presetNameOf(configured);
    return (options.presets ?? SIGNATURE_PRESET_NAMES).filter(
      (name) =>
        name !== own && parseSignedRequest(request, SIGNATURE_PRESETS[name], options.nowMs) !== undefined,
    );
  } catch {
    return [];
  }
}

/**
 * The single preset (other than `configured`) under which the request verifies with one of the first
 * {@link MAX_PROBE_SECRETS} secrets, or undefined when none or several do. Pure and never throws.
 */
export function probeSignatureScheme(
  request: SignedRequest,
  secrets: readonly string[],
  configured: SignatureScheme,
  options: ProbeOptions,
): SignaturePresetName | undefined {
  return matchAmong(probeCandidates(request, configured, options), request, secrets, options.nowMs);
}

function matchAmong(
  names: readonly SignaturePresetName[],
  request: SignedRequest,
  secrets: readonly string[],
  nowMs: number,
): SignaturePresetName | undefined {
  try {
    const tried = secrets.slice(0, MAX_PROBE_SECRETS);
    const matches = names.filter((name) => verifyRequest(request, tried, SIGNATURE_PRESETS[name], nowMs));
    return matches.length === 1 ? matches[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token bucket on an injected clock: `capacity` at once, refilled at `perMinute`. Counted in exact integer
 * units (1 token = 60,000 units, one ms refills `perMinute` units), so no rounding drift grants or loses tokens.
 */
export class TokenBucket {
  private static readonly UNIT = 60_000;
  private units: number;
  private last: number;

  constructor(
    private readonly options: {
      readonly capacity: number;
      readonly perMinute: number;
      readonly clock: { now(): number };
    },
  ) {
    this.units = options.capacity * TokenBucket.UNIT;
    this.last = Math.floor(options.clock.now());
  }

  /** Whether a token is there, without taking it. */
  available(): boolean {
    this.refill();
    return this.units >= TokenBucket.UNIT;
  }

  /** Takes one token; false when the bucket is empty. */
  tryTake(): boolean {
    if (!this.available()) return false;
    this.units -= TokenBucket.UNIT;
    return true;
  }

  private refill(): void {
    const now = Math.floor(this.options.clock.now());
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    const full = this.options.capacity * TokenBucket.UNIT;
    this.units = Math.min(full, this.units + elapsed * this.options.perMinute);
  }
}

export type ProbeResult =
  /** Exactly one other preset verifies the request. */
  | { readonly outcome: "matched"; readonly preset: SignaturePresetName }
  /** No other preset's headers are present: nothing to try, no token spent. */
  | { readonly outcome: "no_candidates" }
  /** Over the rate: not probed. */
  | { readonly outcome: "rate_limited" }
  /** Probed: none (or more than one) matched. */
  | { readonly outcome: "no_match" };

/** The probe with its rate limit, as the receiver holds it (one per Lambda instance). */
export class SchemeProbe {
  private readonly bucket: TokenBucket;
  private readonly clock: { now(): number };

  constructor(options: {
    readonly clock: { now(): number };
    readonly burst?: number;
    readonly perMinute?: number;
  }) {
    this.clock = options.clock;
    this.bucket = new TokenBucket({
      capacity: options.burst ?? DEFAULT_PROBE_BURST,
      perMinute: options.perMinute ?? DEFAULT_PROBES_PER_MINUTE,
      clock: options.clock,
    });
  }

  /**
   * Whether the request offers another preset to try and the rate allows it (no HMAC, no token): worth
   * fetching the secrets for.
   */
  worthProbing(request: SignedRequest, configured: SignatureScheme): boolean {
    if (!this.bucket.available()) return false;
    return probeCandidates(request, configured, { nowMs: this.clock.now() }).length > 0;
  }

  /**
   * Never throws. Over the rate it answers `rate_limited` before even parsing the request, so a flood costs
   * little more than the failed verifications themselves.
   */
  run(request: SignedRequest, secrets: readonly string[], configured: SignatureScheme): ProbeResult {
    if (!this.bucket.available()) return { outcome: "rate_limited" };
    const nowMs = this.clock.now();
    const names = probeCandidates(request, configured, { nowMs });
    if (names.length === 0) return { outcome: "no_candidates" };
    this.bucket.tryTake();
    const preset = matchAmong(names, request, secrets, nowMs);
    return preset === undefined ? { outcome: "no_match" } : { outcome: "matched", preset };
  }
}

/** The one structured log line of a match: the preset and the command; nothing from the request. */
export function probeLogRecord(preset: SignaturePresetName): {
  readonly msg: "signature_scheme_probe";
  readonly matchedPreset: SignaturePresetName;
  readonly configCommand: string;
} {
  return { msg: "signature_scheme_probe", matchedPreset: preset, configCommand: schemeConfigCommand(preset) };
}
