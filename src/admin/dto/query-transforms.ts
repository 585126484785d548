import { Transform } from 'class-transformer';

/** `?flag=true|false` → boolean; anything else stays a string and fails @IsBoolean with a message. */
export const BooleanQuery = (): PropertyDecorator =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** `?n=12` → 12; anything else stays as sent and fails @IsInt with a message. */
export const IntegerQuery = (): PropertyDecorator =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
