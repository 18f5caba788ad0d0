// Timestamps by hand: shared code may not use Date (its parsing and formatting depend on the
// host), and EPCIS needs only RFC 3339 date-times, which integer arithmetic handles exactly.

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days-from-civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date of a day count since 1970-01-01, the inverse of daysFromCivil. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The UTC year of a time in milliseconds since the epoch. */
export function yearOf(millis: number): number {
  return civilFromDays(Math.floor(millis / DAY_MS)).year;
}

/**
 * A time in milliseconds since the epoch as an RFC 3339 UTC date-time with milliseconds,
 * `2026-01-31T09:05:00.000Z`: the form EPCIS documents carry and the event hash expects.
 */
export function formatTimestamp(millis: number): string {
  const days = Math.floor(millis / DAY_MS);
  const { year, month, day } = civilFromDays(days);
  let rest = millis - days * DAY_MS;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const s = rest % 60;
  rest = (rest - s) / 60;
  const min = rest % 60;
  const h = (rest - min) / 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
}

/** A parsed RFC 3339 date-time: whole milliseconds and the microseconds below them. */
export interface ParsedTimestamp {
  /** UTC milliseconds since the epoch, the fraction cut to milliseconds (never rounded up). */
  readonly millis: number;
  /** The first six fraction digits as microseconds of the second (0-999,999). */
  readonly micros: number;
  /** UTC seconds since the epoch. */
  readonly seconds: number;
}

// RFC 3339 section 5.6, with the seconds optional as ISO 8601 and xsd:dateTime allow them to
// be; the offset is required (EPCIS times are time stamps, never local times).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,30}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses an RFC 3339 date-time with an offset; null when it is not one or names no real time. */
export function parseTimestamp(text: string): ParsedTimestamp | null {
  if (text.length > 64) return null;
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // A leap second (60) is not representable in epoch milliseconds: refused rather than shifted.
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  const micros = Number(fraction);
  const seconds =
    daysFromCivil(year, month, day) * 86_400 +
    hour * 3600 +
    minute * 60 +
    second -
    offsetMinutes * 60;
  return { seconds, micros, millis: seconds * 1000 + Math.floor(micros / 1000) };
}

/**
 * The event-hash form of a timestamp (CBV 2.0 event hash rules 8 and 9): UTC, "Z", exactly three
 * fraction digits. Digits past the third are rounded as the reference implementation does
 * (to microseconds first, then half to even on the millisecond).
 */
export function hashTimestamp(text: string): string | null {
  const t = parseTimestamp(text);
  if (!t) return null;
  const below = t.micros % 1000;
  let ms = (t.micros - below) / 1000;
  if (below > 500 || (below === 500 && ms % 2 === 1)) ms += 1;
  return formatTimestamp(t.seconds * 1000 + ms);
}
