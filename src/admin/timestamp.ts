import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * The instants the admin API accepts in `from`/`to`, read exactly (no `new Date(string)`, which reads
 * some ISO 8601 forms wrongly and refuses others):
 * - an RFC 3339 date-time with `Z` or a numeric offset: `2026-11-25T09:00:00Z`, `2026-11-25T10:00:00.250+01:00`
 *   (`T`/`Z` in either case; any number of fractional digits, rounded up to the next millisecond;
 *   a `+` must reach the server as `%2B`);
 * - a plain date `2026-11-25`: midnight UTC at the start of that day.
 * Nothing else: no week or ordinal dates, no basic format (`20261125`), no date-time without an offset
 * (local to whom?), no hour 24, no leap second (`:60`), no 30 February. The instant must lie within
 * the years 0000–9999 in UTC.
 *
 * Fractions finer than a millisecond round up because history is kept to the millisecond: for an
 * inclusive `from` and an exclusive `to` alike, rounding up selects exactly the rows the exact instant would.
 */
export type TimestampReading =
  | { readonly ok: true; readonly date: Date }
  | { readonly ok: false; readonly problem: 'format' | 'impossible' | 'range' };

const FORMAT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2})))?$/;

const FIRST_INSTANT = utc(0, 1, 1, 0, 0, 0, 0);
const LAST_INSTANT = utc(9999, 12, 31, 23, 59, 59, 999);

export function readTimestamp(value: string): TimestampReading {
  const match = FORMAT.exec(value);
  if (!match) return { ok: false, problem: 'format' };
  const [, y, mo, d, h, mi, s, fraction, , sign, oh, om] = match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const [hour, minute, second] = [Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Number(oh ?? 0) > 23 ||
    Number(om ?? 0) > 59
  ) {
    return { ok: false, problem: 'impossible' };
  }
  const digits = fraction ?? '';
  const millis = Number(digits.slice(0, 3).padEnd(3, '0')) + (/[1-9]/.test(digits.slice(3)) ? 1 : 0);
  const time = utc(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  if (time < FIRST_INSTANT || time > LAST_INSTANT) return { ok: false, problem: 'range' };
  return { ok: true, date: new Date(time) };
}

/** The message for a value of parameter `name` that readTimestamp refuses. */
export function timestampMessage(name: string, value: unknown): string {
  const reading = typeof value === 'string' ? readTimestamp(value) : undefined;
  switch (reading?.ok === false ? reading.problem : 'format') {
    case 'impossible':
      return `${name} is not a real date and time (a day, hour, minute, second or offset out of range)`;
    case 'range':
      return `${name} must lie within the years 0000-9999 (UTC)`;
    default:
      return `${name} must be an RFC 3339 date-time with Z or an offset (2026-11-25T09:00:00Z, 2026-11-25T10:00:00%2B01:00) or a date (2026-11-25, midnight UTC)`;
  }
}

/** A query parameter readTimestamp accepts; the message says what is wrong and names the parameter. */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && readTimestamp(value).ok,
      defaultMessage: (args?: ValidationArguments) => timestampMessage(args?.property ?? 'value', args?.value),
    },
  });
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Milliseconds since the epoch of a UTC date and time; years 0–99 are not moved to the 1900s (Date.UTC would). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}
