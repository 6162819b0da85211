/**
 * Per-event CPU of the receiver's in-process work (verify + parse + envelope) on a 1 KiB event. Bundled by
 * bench/run.ts and run in a fresh process; prints microseconds per event (CPU time, user + system).
 */

import { parseEnvelope } from "../contract/event";
import { sign, verify } from "../contract/signature";
import { oneKibEventBody } from "./fixtures";

const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
const bytes = oneKibEventBody();
const header = sign(bytes, SECRET);
const WARMUP = 2_000;
const ITERATIONS = 20_000;

function once(): void {
  if (!verify(bytes, header, [SECRET])) throw new Error("benchmark event does not verify");
  parseEnvelope(bytes.toString("utf8"));
}

for (let i = 0; i < WARMUP; i += 1) once();
const start = process.cpuUsage();
for (let i = 0; i < ITERATIONS; i += 1) once();
const used = process.cpuUsage(start);
process.stdout.write(
  JSON.stringify({ bytes: bytes.length, microsPerEvent: (used.user + used.system) / ITERATIONS }),
);
