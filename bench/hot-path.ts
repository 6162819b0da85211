/**
 * Per-event CPU of the receiver's in-process work (verify + parse + envelope) on a 1 KiB event. Bundled by
 * bench/run.ts and run in a fresh process; prints microseconds per event (CPU time, user + system).
 */
import { parseEnvelope } from "../contract/event";
import { sign, verify } from "../contract/signature";

const SECRET = "f09f8d8b2068747470733a2f2f6a6f62732e6c656d6f6e2e6d61726b6574732f";
const base = {
  id: "evt_a8b11a37eccc49ecacb372e3a92a184d",
  type: "account.created",
  created_at: "2023-06-29T14:40:30.523373+00:00",
  context: { account: "cusa_33531f7f801d4ce997747470ab7208fd", note: "" },
};
const padding = 1024 - Buffer.byteLength(JSON.stringify(base));
const bytes = Buffer.from(
  JSON.stringify({ ...base, context: { ...base.context, note: "x".repeat(padding) } }),
);
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
