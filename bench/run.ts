/**
 * `npm run bench`: size, cold load and per-event CPU of the receiver and forwarder bundles
 * (dist/lambda-bundle/{receiver,forwarder}/index.js, rebuilt first by scripts/build-lambda.mjs), each compared in
 * the same run with a reference handler on AWS SDK v3 bundled the same way (every timing is the median over
 * fresh processes); the AWS calls before the 200 and the writes per event of the store-first design and of
 * the claim/lease design it replaced (bundled from {@link OLD_DESIGN_COMMIT}), counted on the local
 * stand-ins; and the cost per million deliveries of both at eu-central-1 list prices (bench/cost.ts).
 * Prints the results and writes them to docs/benchmarks.md. Not a test: the machine is noisy.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import LAMBDA_RUNTIME from "../contract/runtime.json";
import { type CallCounts, countCalls } from "./calls";
import { ASSUMED_CALL_MS, ASSUMED_CPU_MS, type CostRow, costOf, PRICES, PRICES_READ_ON } from "./cost";
import { probeSection } from "./probe-report";

/** The last commit of the claim/lease design (forward before the 200), the "old design" of the comparison. */
const OLD_DESIGN_COMMIT = "b084d4a";
/** Events per design for the call counts. */
const CALL_EVENTS = 20;

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const TARGETS = { bundleBytes: 100 * 1024, coldLoadRatio: 0.2, microsPerKiB: 20 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function bundle(entry: string, outfile: string, root = ROOT): Promise<void> {
  // The same options as scripts/build-lambda.mjs (target from contract/runtime.json), so the comparison is like for like.
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: `node${LAMBDA_RUNTIME.runtime.replace(/^nodejs(\d+)\.x$/, "$1")}`,
    format: "cjs",
    legalComments: "none",
    logLevel: "error",
  });
}

/** Milliseconds to `require` the file in a fresh node process (measured inside it, excluding node's boot). */
function coldLoadMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  // stderr ignored: the SDK prints a Node-version notice on load that says nothing about timing.
  return Number(
    execFileSync(process.execPath, ["-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
  );
}

function sizes(file: string): { raw: number; gzip: number; zip: number } {
  const bytes = readFileSync(file);
  // A Lambda deployment zip stores the file deflated; ~100 bytes of zip headers are ignored.
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    zip: deflateRawSync(bytes, { level: 9 }).length,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const usd = (n: number) => `$${n.toFixed(2)}`;

/** Cold loads of `files`, interleaved run by run so drift in machine load hits all alike. */
function coldLoads(files: readonly string[]): number[] {
  const samples = files.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i += 1) {
    files.forEach((file, index) => {
      samples[index]?.push(coldLoadMs(file));
    });
  }
  return samples.map(median);
}

/** `PutItem 1, PutEvents 1` for a per-event call count (fractions rounded to 2 places). */
function callList(calls: Readonly<Record<string, number>>): string {
  const entries = Object.entries(calls).filter(([, n]) => n > 0);
  if (entries.length === 0) return "none";
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const list = entries.map(([op, n]) => `${op} ${Number.isInteger(n) ? n : n.toFixed(2)}`).join(", ");
  return `${Number.isInteger(total) ? total : total.toFixed(2)} (${list})`;
}

function writesOf(calls: Readonly<Record<string, number>>): number {
  return (
    Math.round(["PutItem", "UpdateItem", "DeleteItem"].reduce((n, op) => n + (calls[op] ?? 0), 0) * 100) / 100
  );
}

function costTable(rows: readonly CostRow[]): string[] {
  const line = (label: string, cell: (row: CostRow) => string) =>
    `| ${label} | ${rows.map(cell).join(" | ")} |`;
  return [
    `| Per million deliveries | ${rows.map((row) => row.design).join(" | ")} |`,
    `| --- | ${rows.map(() => "---").join(" | ")} |`,
    line("API Gateway HTTP API requests", (r) => `${r.apiRequests} M → ${usd(r.usd.api)}`),
    line(
      "Lambda requests and GB-s (256 MB arm64)",
      (r) =>
        `${r.lambdaRequests.toFixed(2)} M, ${(r.lambdaGbSeconds * 1e6).toFixed(0)} GB-s → ${usd(r.usd.lambda)}`,
    ),
    line(
      "DynamoDB on-demand write / read units",
      (r) => `${r.writeUnits.toFixed(2)} M WRU, ${r.readUnits.toFixed(2)} M RRU → ${usd(r.usd.dynamodb)}`,
    ),
    line("DynamoDB Streams reads (Lambda trigger)", () => "free → $0.00"),
    line(
      "EventBridge PutEvents entries (≤ 64 KB)",
      (r) => `${r.putEventsEntries} M → ${usd(r.usd.eventbridge)}`,
    ),
    line("SQS (failure queue)", () => "0 on the normal path → $0.00"),
    line("**Total**", (r) => `**${usd(r.usd.total)}**`),
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lemon-bench-"));
  try {
    const files = {
      // The shipped bundles, as `npm run build:lambda` writes them (built just below).
      receiver: join(ROOT, "dist", "lambda-bundle", "receiver", "index.js"),
      forwarder: join(ROOT, "dist", "lambda-bundle", "forwarder", "index.js"),
      referenceReceiver: join(dir, "reference-receiver-sdk-v3.js"),
      referenceForwarder: join(dir, "reference-forwarder-sdk-v3.js"),
      hotPath: join(dir, "hot-path.js"),
      oldReceiver: join(dir, "old-receiver.js"),
    };
    execFileSync(process.execPath, [join(ROOT, "scripts", "build-lambda.mjs")], { stdio: "ignore" });
    await bundle("bench/reference-handler.ts", files.referenceReceiver);
    await bundle("bench/reference-forwarder.ts", files.referenceForwarder);
    await bundle("bench/hot-path.ts", files.hotPath);
    // The old design's sources, read from git (nothing in the working tree changes).
    const old = join(dir, "old");
    execFileSync("mkdir", ["-p", old]);
    execFileSync("sh", ["-c", `git -C "${ROOT}" archive ${OLD_DESIGN_COMMIT} lambda | tar -x -C "${old}"`]);
    // The path as it was in that commit (before lambda/receiver/).
    await bundle("lambda/main.ts", files.oldReceiver, old);

    const [receiverMs, referenceReceiverMs, forwarderMs, referenceForwarderMs] = coldLoads([
      files.receiver,
      files.referenceReceiver,
      files.forwarder,
      files.referenceForwarder,
    ]);
    const micros: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const out = JSON.parse(execFileSync(process.execPath, [files.hotPath], { encoding: "utf8" })) as {
        microsPerEvent: number;
      };
      micros.push(out.microsPerEvent);
    }
    const perEvent = median(micros);
    // The signature-scheme probe's cost per rejected request (issue 14; bench/probe-report.ts).
    const probeLines = await probeSection(dir, bundle, Math.min(RUNS, 5));
    const storeFirst: CallCounts = await countCalls({
      dir,
      receiverBundle: files.receiver,
      forwarderBundle: files.forwarder,
      events: CALL_EVENTS,
    });
    const claimLease: CallCounts = await countCalls({
      dir,
      receiverBundle: files.oldReceiver,
      events: CALL_EVENTS,
    });
    const costs = [
      costOf(`Old: claim/lease (${OLD_DESIGN_COMMIT})`, claimLease, 1),
      costOf("New: store first, 1 event per forwarder batch", storeFirst, 1),
      costOf("New: store first, full batches of 10", storeFirst, 10),
      costOf("New: 1 event per batch, events under about 700 B (items under 1 KB)", storeFirst, 1, 1_000),
    ];

    const sizes_ = Object.fromEntries(
      Object.entries(files).map(([name, file]) => [name, sizes(file)]),
    ) as Record<keyof typeof files, ReturnType<typeof sizes>>;
    const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
    const ratio = (ours: number, reference: number) => ours / (reference ?? Number.NaN);
    const receiverRatio = ratio(receiverMs ?? Number.NaN, referenceReceiverMs ?? Number.NaN);
    const forwarderRatio = ratio(forwarderMs ?? Number.NaN, referenceForwarderMs ?? Number.NaN);
    const ms = (n: number | undefined) => `${(n ?? Number.NaN).toFixed(2)} ms`;
    const statuses = (c: CallCounts) =>
      Object.entries(c.statuses)
        .map(([status, n]) => `${status}×${n}`)
        .join(" ");

    const report = [
      "# Benchmarks",
      "",
      "Generated by `npm run bench` (bench/run.ts); do not edit by hand. Timings are the median of",
      `${RUNS} fresh \`node\` processes. The references are the same flows on AWS SDK v3 clients plus Powertools'`,
      "Logger and Metrics (bench/reference-handler.ts: Secrets Manager and DynamoDB; bench/reference-forwarder.ts:",
      "DynamoDB and EventBridge), bundled with identical esbuild options. Cold load is the time to `require` the",
      "bundle inside a fresh process (node's own boot excluded). Receiver and forwarder are the shipped bundles,",
      "dist/lambda-bundle/receiver/index.js and dist/lambda-bundle/forwarder/index.js, rebuilt first.",
      "Absolute times depend on machine load (other jobs share these 2 cores); compare the ratios.",
      "",
      `- Date: ${new Date().toISOString()}`,
      `- Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${process.platform}/${process.arch}, Node ${process.version}`,
      "",
      "## Bundles",
      "",
      "| Measure | Receiver | Reference receiver (SDK v3 + Powertools) | Forwarder | Reference forwarder (SDK v3 + Powertools) | Target | Result |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      `| Bundle size, minified | ${kb(sizes_.receiver.raw)} | ${kb(sizes_.referenceReceiver.raw)} | ${kb(sizes_.forwarder.raw)} | ${kb(sizes_.referenceForwarder.raw)} | ≤ 100 KiB each | ${verdict(sizes_.receiver.raw <= TARGETS.bundleBytes && sizes_.forwarder.raw <= TARGETS.bundleBytes)} |`,
      `| Bundle size, gzip -9 | ${kb(sizes_.receiver.gzip)} | ${kb(sizes_.referenceReceiver.gzip)} | ${kb(sizes_.forwarder.gzip)} | ${kb(sizes_.referenceForwarder.gzip)} | — | — |`,
      `| Bundle size, zip (deflate) | ${kb(sizes_.receiver.zip)} | ${kb(sizes_.referenceReceiver.zip)} | ${kb(sizes_.forwarder.zip)} | ${kb(sizes_.referenceForwarder.zip)} | — | — |`,
      `| Cold load | ${ms(receiverMs)} | ${ms(referenceReceiverMs)} | ${ms(forwarderMs)} | ${ms(referenceForwarderMs)} | ≤ 0.2 × reference | receiver ${receiverRatio.toFixed(3)} ×, forwarder ${forwarderRatio.toFixed(3)} × — ${verdict(receiverRatio <= TARGETS.coldLoadRatio && forwarderRatio <= TARGETS.coldLoadRatio)} |`,
      `| CPU per 1 KiB event (verify + parse + envelope) | ${perEvent.toFixed(2)} µs | — | — | — | ≤ 20 µs | ${verdict(perEvent <= TARGETS.microsPerKiB)} |`,
      "",
      "Cold load excludes the first AWS call. Both bundles load node:http/node:https at start-up instead of",
      "using `fetch`, whose implementation would otherwise be loaded during the first invocation.",
      "",
      ...probeLines,
      "## AWS calls per event",
      "",
      `Counted on the local stand-ins (bench/calls.ts): ${CALL_EVENTS} signed 1 KiB events delivered one after another to`,
      "the receiver bundle in a process of its own, then one duplicate of each from a fresh process; counting",
      "proxies in front of DynamoDB and EventBridge, one set for the receiver, one for the forwarder (which the",
      "local stream invokes with the INSERTs that arrived while it ran). The receiver makes no call after its",
      `answer, so its calls are the calls before the 200. Old design: the receiver of ${OLD_DESIGN_COMMIT}, bundled from git.`,
      "",
      `| Per event | Old: claim/lease (${OLD_DESIGN_COMMIT}) | New: store first |`,
      "| --- | --- | --- |",
      `| Calls before the 200, new event (warm secret cache) | ${callList(claimLease.newEvent)} | ${callList(storeFirst.newEvent)} |`,
      `| Calls before the 200, duplicate | ${callList(claimLease.duplicate)} | ${callList(storeFirst.duplicate)} |`,
      `| GetSecretValue on a cold container's first delivery | ${claimLease.coldSecretCalls} | ${storeFirst.coldSecretCalls} |`,
      `| Writes before the 200 (new event / duplicate) | ${writesOf(claimLease.newEvent)} / ${writesOf(claimLease.duplicate)} | ${writesOf(storeFirst.newEvent)} / ${writesOf(storeFirst.duplicate)} |`,
      `| Forwarder invocations and calls (after the 200; the local stream batched what arrived meanwhile) | — | ${storeFirst.forwarderInvocations.toFixed(2)} invocations, ${callList(storeFirst.forwarder)} |`,
      `| PutEvents entries | ${claimLease.putEventsEntries} | ${storeFirst.putEventsEntries} |`,
      `| Writes per event in all | ${writesOf(claimLease.newEvent)} | ${writesOf(storeFirst.newEvent) + writesOf(storeFirst.forwarder)} |`,
      `| Size of the item a write writes (1 KiB event) | ${claimLease.eventBytes} B (claim: no body) | ${storeFirst.eventBytes} B (the event is stored) |`,
      `| Answers | ${statuses(claimLease)} | ${statuses(storeFirst)} |`,
      "",
      "## Cost per million deliveries, eu-central-1",
      "",
      "New events, one delivery each, 1 KiB bodies (items over 1 KB cost a write unit per started KB), both",
      "functions at 256 MB arm64. Durations are assumed, not measured: the stand-ins say nothing about AWS",
      `latency. Per call: ${Object.entries(ASSUMED_CALL_MS)
        .map(([op, n]) => `${op} ${n} ms`)
        .join(", ")}; plus ${ASSUMED_CPU_MS} ms own CPU per`,
      "invocation; the forwarder's marks run at once. CloudWatch Logs, metrics, alarms and data transfer are",
      "left out (the same order for both). One event per forwarder batch is the low-traffic case (each INSERT",
      "its own invocation, no batching window); full batches need ten INSERTs within one poll of the shard.",
      "",
      ...costTable(costs),
      "",
      `Prices (USD, pay as you go, first tier, no free tier), sources consulted on ${PRICES_READ_ON}:`,
      "",
      "| Item | Price | Source | Note |",
      "| --- | --- | --- | --- |",
      ...Object.values(PRICES).map(
        (price) =>
          `| ${price.per} | $${(price.usd * 1e6).toFixed(4).replace(/0+$/, "").replace(/\.$/, "")} per million | ${price.source} | ${price.note} |`,
      ),
      "",
    ].join("\n");
    writeFileSync(join(ROOT, "docs", "benchmarks.md"), report);
    process.stdout.write(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
