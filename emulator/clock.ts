/**
 * Event timestamps as lemon.markets writes them: ISO 8601, microseconds, `+00:00`
 * (`2023-06-29T14:40:30.523373+00:00`). Strictly increasing per clock, so `created_at` alone orders events
 * and `since` filtering is exact even for events emitted within one millisecond.
 */
export class MicrosecondClock {
  private last = 0;

  /** Microseconds since the epoch, strictly greater than the previous call's. */
  nextMicros(): number {
    this.last = Math.max(this.last + 1, Date.now() * 1000);
    return this.last;
  }
}

export function formatMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const fraction = String(micros % 1000).padStart(3, "0");
  return new Date(millis).toISOString().replace(/Z$/, `${fraction}+00:00`);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt\s](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real calendar date (RFC 3339 full-date rules: leap years, days per month). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const last = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return last !== undefined && day >= 1 && day <= last;
}

/**
 * Parses an RFC 3339 date-time (offset required, leap second allowed at 23:59 UTC) to epoch microseconds;
 * `undefined` when it is not one. The same rules as ajv-formats' `date-time`, so the emulator accepts
 * exactly what the spec's schema does. `Date.parse` alone would drop the microseconds and accept many
 * non-RFC shapes.
 */
export function parseDateTimeMicros(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [fraction = "", zulu, sign, offsetHours = "0", offsetMinutes = "0"] = match.slice(7);
  const offsetSign = sign === "-" ? -1 : 1;
  const [tzHours, tzMinutes] = zulu ? [0, 0] : [Number(offsetHours), Number(offsetMinutes)];
  if (!isCalendarDate(year, month, day) || tzHours > 23 || tzMinutes > 59) return undefined;
  if (!(hour <= 23 && minute <= 59 && second <= 59)) {
    // A leap second (:60) is valid only where it falls at 23:59 UTC.
    const utcMinute = minute - tzMinutes * offsetSign;
    const utcHour = hour - tzHours * offsetSign - (utcMinute < 0 ? 1 : 0);
    const leap =
      (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second === 60;
    if (!leap) return undefined;
  }
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const offset = offsetSign * (tzHours * 60 + tzMinutes) * 60_000;
  const micros = Number(fraction.padEnd(6, "0").slice(0, 6));
  return (millis - offset) * 1000 + micros;
}
