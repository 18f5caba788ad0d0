// Calendar arithmetic by hand: shared code may not use Date (its results depend on the host's
// time zone and clock), and the proleptic Gregorian rules are all a GS1 date needs.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Reference years for which every two-digit year maps to a four-digit one (1000-9999). */
export const MIN_REFERENCE_YEAR = 1049;
export const MAX_REFERENCE_YEAR = 9949;

export function referenceYearProblem(referenceYear: number): string | null {
  if (
    !Number.isSafeInteger(referenceYear) ||
    referenceYear < MIN_REFERENCE_YEAR ||
    referenceYear > MAX_REFERENCE_YEAR
  ) {
    return `the reference year must be a whole year from ${MIN_REFERENCE_YEAR} to ${MAX_REFERENCE_YEAR}`;
  }
  return null;
}

/**
 * The four-digit year of a two-digit year `yy`, by the GS1 sliding window (General
 * Specifications, section 7.12): the year falls from 49 years before `referenceYear` to 50 years
 * after it. Against the reference year's own two digits, a difference of 51 to 99 means the
 * previous century and one of -99 to -50 the next.
 */
export function centuryWindowYear(yy: number, referenceYear: number): number {
  const century = referenceYear - (referenceYear % 100);
  const difference = yy - (referenceYear % 100);
  if (difference >= 51) return century - 100 + yy;
  if (difference <= -50) return century + 100 + yy;
  return century + yy;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export type DateResult = { ok: true; date: string } | { ok: false; error: string; index: number };

/**
 * A GS1 YYMMDD date (AI 17 and the other date AIs) as an ISO `YYYY-MM-DD` string. DD 00 stands
 * for the last day of the month, as the General Specifications define these AIs, so it is
 * resolved here once rather than by every reader; the century comes from the sliding window
 * around `referenceYear`. `index` in a refusal points into `yymmdd`.
 */
export function expiryFromYYMMDD(yymmdd: string, referenceYear: number): DateResult {
  const yearProblem = referenceYearProblem(referenceYear);
  if (yearProblem) return { ok: false, error: yearProblem, index: 0 };
  if (!/^[0-9]{6}$/.test(yymmdd)) {
    return { ok: false, error: 'a GS1 date is six digits YYMMDD', index: 0 };
  }
  const year = centuryWindowYear(Number(yymmdd.slice(0, 2)), referenceYear);
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) {
    return { ok: false, error: `${yymmdd} has month ${pad(month, 2)}; months are 01-12`, index: 2 };
  }
  const last = daysInMonth(year, month);
  if (day > last) {
    return {
      ok: false,
      error: `${yymmdd} has day ${day}, but ${MONTHS[month - 1]} ${year} has ${last} days`,
      index: 4,
    };
  }
  return { ok: true, date: `${pad(year, 4)}-${pad(month, 2)}-${pad(day === 0 ? last : day, 2)}` };
}

/** Why `text` is not a real calendar date written `YYYY-MM-DD`, or null when it is one. */
export function isoDateProblem(text: string, what: string): string | null {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!match) return `${what} is written YYYY-MM-DD`;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1) return `${what} has year 0000; years start at 0001`;
  if (month < 1 || month > 12) return `${what} has month ${match[2]}; months are 01-12`;
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    return `${what} has day ${match[3]}, but ${MONTHS[month - 1]} ${year} has ${last} days`;
  }
  return null;
}

/** Why YYMMDDHHMM (AI 7003) is not a real date and time, or null; DD 00 is not allowed here. */
export function dateTimeProblem(
  yymmddhhmm: string,
  referenceYear: number,
): { error: string; index: number } | null {
  const date = yymmddhhmm.slice(0, 6);
  if (date.slice(4) === '00') {
    return { error: `${date} has day 00, which this date-and-time does not allow`, index: 4 };
  }
  const parsed = expiryFromYYMMDD(date, referenceYear);
  if (!parsed.ok) return { error: parsed.error, index: parsed.index };
  const hours = Number(yymmddhhmm.slice(6, 8));
  const minutes = Number(yymmddhhmm.slice(8, 10));
  if (hours > 23) return { error: `the hour ${pad(hours, 2)} is not 00-23`, index: 6 };
  if (minutes > 59) return { error: `the minute ${pad(minutes, 2)} is not 00-59`, index: 8 };
  return null;
}
