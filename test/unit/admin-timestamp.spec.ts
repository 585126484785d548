/**
 * `from`/`to` of the admin API: RFC 3339 date-times with Z or an offset, and plain dates (midnight
 * UTC), read exactly; everything else refused, with the reason. `new Date(string)` read some of these
 * wrongly (week dates, basic format) and refused others with a 500.
 */
import { readTimestamp, timestampMessage } from '../../src/admin/timestamp';

const iso = (value: string): string | undefined => {
  const reading = readTimestamp(value);
  return reading.ok ? reading.date.toISOString() : undefined;
};
const problem = (value: string): string | undefined => {
  const reading = readTimestamp(value);
  return reading.ok ? undefined : reading.problem;
};

describe('readTimestamp', () => {
  it.each([
    ['2026-11-25T09:00:00Z', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25t09:00:00z', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T10:00:00+01:00', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T04:30:00-04:30', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T09:00:00-00:00', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T00:30:00+23:59', '2026-11-24T00:31:00.000Z'],
    ['2026-11-25T09:00:00.5Z', '2026-11-25T09:00:00.500Z'],
    ['2026-11-25T09:00:00.123Z', '2026-11-25T09:00:00.123Z'],
    // finer than a millisecond: rounded up (history is kept to the millisecond)
    ['2026-11-25T09:00:00.123000Z', '2026-11-25T09:00:00.123Z'],
    ['2026-11-25T09:00:00.123456+00:00', '2026-11-25T09:00:00.124Z'],
    ['2026-11-25T09:00:00.123000001Z', '2026-11-25T09:00:00.124Z'],
    ['2026-12-31T23:59:59.9999Z', '2027-01-01T00:00:00.000Z'],
    // a plain date: midnight UTC
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['0000-01-01', '0000-01-01T00:00:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('accepts %s as %s', (value, expected) => {
    expect(iso(value)).toBe(expected);
  });

  it.each([
    '2026-W01', // ISO week date
    '2026-W01-1',
    '2026-329', // ordinal date
    '20300101', // basic format
    '20261125T090000Z',
    '2026-11-25T09:00:00', // no offset: local to whom?
    '2026-11-25T09:00Z', // no seconds
    '2026-11-25 09:00:00Z', // space (a '+' sent unencoded arrives as one: %2B)
    '2026-11-25T09:00:00 01:00',
    '2026-11-25T09:00:00+0100',
    '2026-11-25T09:00:00+01',
    '2026-11-25T09:00:00.Z',
    '2026-11',
    '2026',
    '+002026-11-25T09:00:00Z',
    '-2026-11-25',
    '1764061200000',
    'yesterday',
    '',
    ' 2026-11-25',
    '2026-11-25\n',
    '２０２６-11-25',
  ])('refuses the format %j', (value) => {
    expect(problem(value)).toBe('format');
  });

  it.each([
    '2026-02-30',
    '2026-02-29', // not a leap year
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-11-00',
    '2026-11-25T24:00:00Z', // hour 24
    '2026-11-25T23:60:00Z',
    '2016-12-31T23:59:60Z', // a leap second: no Date holds it
    '2026-11-25T09:00:00+24:00',
    '2026-11-25T09:00:00+01:60',
  ])('refuses the impossible %s', (value) => {
    expect(problem(value)).toBe('impossible');
  });

  it.each(['9999-12-31T23:59:59-00:01', '0000-01-01T00:00:00+00:01'])('refuses %s, outside the years 0000-9999 in UTC', (value) => {
    expect(problem(value)).toBe('range');
  });

  it('names the parameter in each message', () => {
    expect(timestampMessage('from', '2026-W01')).toMatch(/^from must be an RFC 3339 date-time/);
    expect(timestampMessage('to', '2026-02-30')).toMatch(/^to is not a real date and time/);
    expect(timestampMessage('to', '9999-12-31T23:59:59-01:00')).toBe('to must lie within the years 0000-9999 (UTC)');
    expect(timestampMessage('from', ['2026-11-25'])).toMatch(/^from must be an RFC 3339 date-time/);
  });
});
