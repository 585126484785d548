import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; counters here stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
