/** Inputs the benchmarks share: the guide's event, padded to exactly 1 KiB. */

const GUIDE_EVENT = {
  id: "evt_a8b11a37eccc49ecacb372e3a92a184d",
  type: "account.created",
  created_at: "2023-06-29T14:40:30.523373+00:00",
  context: { account: "cusa_33531f7f801d4ce997747470ab7208fd", note: "" },
};

/** The guide's event as a body of exactly 1024 bytes (`context.note` pads it). */
export function oneKibEventBody(): Buffer {
  const padding = 1024 - Buffer.byteLength(JSON.stringify(GUIDE_EVENT));
  return Buffer.from(
    JSON.stringify({ ...GUIDE_EVENT, context: { ...GUIDE_EVENT.context, note: "x".repeat(padding) } }),
  );
}
