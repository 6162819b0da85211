/**
 * CPU per REJECTED request with the signature-scheme probe on (issue 14), on a 1 KiB event: the verify that
 * fails plus what the probe adds. Run alone (`npx ts-node bench/probe.ts`, or bundled in a fresh `node`
 * like bench/hot-path.ts); prints one JSON object, microseconds of CPU (user + system) per request, and the
 * HMACs each case costs (counted, not assumed).
 *
 * Cases:
 * - `probeOff`: verification with the configured scheme only (one HMAC per secret);
 * - `configuredHeaderOnly`: probe on, the request carries only a forged signature in the configured scheme (a
 *   hex MAC in Lemon-Markets-Signature is also well-formed under `hex-key`, so the probe tries that one);
 * - `worstCase`: probe on and never rate-limited, the request carries a well-formed forged signature for
 *   EVERY preset (the probe's bound: (presets - 1) x 2 HMACs);
 * - `flood`: probe on with its default rate limit, 20,000 forged worst-case requests within one second (all but
 *   the burst are rate-limited: the flood costs about what `probeOff` costs).
 */

import {
  DEFAULT_SIGNATURE_SCHEME,
  type SignedRequest,
  signHeaders,
  verifyRequest,
} from "../contract/signature";
import { SIGNATURE_PRESET_NAMES, SIGNATURE_PRESETS } from "../contract/signature-presets";
import { maxProbeHmacs, SchemeProbe } from "../lambda/receiver/signature-probe";
import { oneKibEventBody } from "./fixtures";

const SECRETS = [
  "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f",
  "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
];
const FORGER = "a".repeat(64);
const body = oneKibEventBody();
const NOW = 1_700_000_000_000;
const configured = DEFAULT_SIGNATURE_SCHEME;

/** Forged (wrong secret) but well-formed signatures: every preset's headers, or only the configured one. */
function forged(presets: readonly (typeof SIGNATURE_PRESET_NAMES)[number][]): SignedRequest {
  const headers: Record<string, string> = {};
  for (const name of presets) {
    const signed = signHeaders(body, FORGER, SIGNATURE_PRESETS[name], { nowMs: NOW });
    for (const [key, value] of Object.entries(signed)) {
      // Presets sharing a header: several signatures in one header, as a rotation would send.
      const sep = SIGNATURE_PRESETS[name].prefixes.some((p) => p.includes(",")) ? " " : ",";
      headers[key] =
        headers[key] === undefined || (key.startsWith("webhook-") && !key.endsWith("signature"))
          ? value
          : `${headers[key]}${sep}${value}`;
    }
  }
  return { body, headers };
}

const everyPreset = forged(SIGNATURE_PRESET_NAMES);
const onlyConfigured = forged(["lemon-default"]);

function rejectedRequest(request: SignedRequest, probe: SchemeProbe | undefined): void {
  if (verifyRequest(request, SECRETS, configured, NOW)) throw new Error("a forged request verified");
  if (probe !== undefined && probe.run(request, SECRETS, configured).outcome === "matched") {
    throw new Error("the probe matched a forged request");
  }
}

function measure(iterations: number, run: () => void): { microsPerRequest: number; hmacsPerRequest: number } {
  for (let i = 0; i < Math.min(2_000, iterations); i += 1) run();
  const spy = countHmacs();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) run();
  const used = process.cpuUsage(start);
  const hmacs = spy.stop();
  return { microsPerRequest: (used.user + used.system) / iterations, hmacsPerRequest: hmacs / iterations };
}

/** Counts createHmac calls on the real node:crypto module object (restored by stop()). */
function countHmacs(): { stop(): number } {
  const crypto = require("node:crypto") as { createHmac: typeof import("node:crypto").createHmac };
  const original = crypto.createHmac;
  let calls = 0;
  crypto.createHmac = ((...args: Parameters<typeof original>) => {
    calls += 1;
    return original(...args);
  }) as typeof original;
  return {
    stop: () => {
      crypto.createHmac = original;
      return calls;
    },
  };
}

const ITERATIONS = 5_000;
const unlimited = new SchemeProbe({ clock: { now: () => NOW }, burst: 1e9, perMinute: 1e9 });
let floodNow = NOW;
const limited = new SchemeProbe({ clock: { now: () => floodNow } });

const result = {
  bytes: body.length,
  presets: SIGNATURE_PRESET_NAMES.length,
  probeHmacBound: maxProbeHmacs(),
  probeOff: measure(ITERATIONS, () => rejectedRequest(everyPreset, undefined)),
  configuredHeaderOnly: measure(ITERATIONS, () => rejectedRequest(onlyConfigured, unlimited)),
  worstCase: measure(ITERATIONS, () => rejectedRequest(everyPreset, unlimited)),
  flood: measure(20_000, () => {
    floodNow += 0.05; // 20,000 requests in one second
    rejectedRequest(everyPreset, limited);
  }),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
