/**
 * The signature-scheme probe's section of `npm run bench` (issue 14): bench/probe.ts bundled like the
 * others and run in fresh processes; CPU per rejected request is the median over the runs, HMACs per request
 * are counted (exact, not timed). Kept apart from bench/run.ts, which only includes its lines.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_PROBE_BURST, DEFAULT_PROBES_PER_MINUTE, maxProbeHmacs } from "../lambda/receiver/signature-probe";

interface Case {
  readonly microsPerRequest: number;
  readonly hmacsPerRequest: number;
}

interface ProbeRun {
  readonly bytes: number;
  readonly presets: number;
  readonly probeHmacBound: number;
  readonly probeOff: Case;
  readonly configuredHeaderOnly: Case;
  readonly worstCase: Case;
  readonly flood: Case;
}

const CASES = [
  ["probeOff", "Probe off: the failed verification only"],
  ["configuredHeaderOnly", "Probe on, a forged default-scheme signature (also well-formed under `hex-key`)"],
  ["worstCase", "Probe on, unthrottled, a forged signature for every preset"],
  ["flood", "Probe on with its rate limit, 20,000 forged worst-case requests in one second (burst spent)"],
] as const;

/** Worst-case CPU per rejected request we accept with the probe on (1 KiB body). */
export const PROBE_TARGET_MICROS = 250;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Bundles and runs bench/probe.ts `runs` times; returns the markdown lines of its section. */
export async function probeSection(
  dir: string,
  bundle: (entry: string, outfile: string) => Promise<void>,
  runs: number,
): Promise<string[]> {
  const file = join(dir, "probe.js");
  await bundle("bench/probe.ts", file);
  const results: ProbeRun[] = [];
  for (let i = 0; i < runs; i += 1) {
    results.push(JSON.parse(execFileSync(process.execPath, [file], { encoding: "utf8" })) as ProbeRun);
  }
  const first = results[0]!;
  const micros = (key: (typeof CASES)[number][0]) => median(results.map((r) => r[key].microsPerRequest));
  const verifyHmacs = first.probeOff.hmacsPerRequest;
  const bound = verifyHmacs + maxProbeHmacs(first.presets);
  const worst = micros("worstCase");
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  return [
    "## Signature-scheme probe: CPU per rejected request",
    "",
    `bench/probe.ts (median of ${runs} fresh processes): a ${first.bytes} B event rejected by a receiver configured`,
    `for \`lemon-default\` with 2 active secrets; ${first.presets} presets. HMACs are counted (createHmac calls), not`,
    `timed. Bound: ${verifyHmacs} for the verification + (${first.presets} − 1) × 2 = ${maxProbeHmacs(first.presets)} for the probe;`,
    `the rate limit (burst ${DEFAULT_PROBE_BURST}, then ${DEFAULT_PROBES_PER_MINUTE} per minute per instance) caps a flood at`,
    `${(DEFAULT_PROBE_BURST + DEFAULT_PROBES_PER_MINUTE) * maxProbeHmacs(first.presets)} probe HMACs in its first minute and ${DEFAULT_PROBES_PER_MINUTE * maxProbeHmacs(first.presets)} per minute after.`,
    "",
    "| Rejected request | CPU | HMACs | Target | Result |",
    "| --- | --- | --- | --- | --- |",
    ...CASES.map(([key, label]) => {
      const hmacs = first[key].hmacsPerRequest;
      const target =
        key === "worstCase" ? `≤ ${PROBE_TARGET_MICROS} µs, ≤ ${bound} HMACs` : `≤ ${bound} HMACs`;
      const ok = hmacs <= bound && (key !== "worstCase" || worst <= PROBE_TARGET_MICROS);
      return `| ${label} | ${micros(key).toFixed(2)} µs | ${Number(hmacs.toFixed(2))} | ${target} | ${verdict(ok)} |`;
    }),
    "",
  ];
}
