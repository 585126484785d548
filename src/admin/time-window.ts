import { BadRequestException } from '@nestjs/common';
import type { TimeWindow } from '../persistence/history-query.service';
import { readTimestamp, timestampMessage } from './timestamp';

/** `from`/`to` of a validated query (see readTimestamp) → dates, refusing an empty window. */
export function parseWindow(from?: string, to?: string): TimeWindow {
  const window: TimeWindow = { from: toDate('from', from), to: toDate('to', to) };
  if (window.from && window.to && window.from >= window.to) {
    throw new BadRequestException('from must be before to');
  }
  return window;
}

/**
 * `from`/`to` of a validated query with defaults: `to` is `defaultTo` (now), `from` is `span` ms before
 * `to`; refuses a window whose `from` is not before its `to`.
 */
export function windowWithDefaults(from: string | undefined, to: string | undefined, span: number, defaultTo = new Date()): Required<TimeWindow> {
  const window = parseWindow(from, to);
  const end = window.to ?? defaultTo;
  const start = window.from ?? new Date(end.getTime() - span);
  if (start >= end) throw new BadRequestException('from must be before to');
  return { from: start, to: end };
}

function toDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const reading = readTimestamp(value);
  // The DTOs validate with IsTimestamp: this only guards a caller that did not.
  if (!reading.ok) throw new BadRequestException(timestampMessage(name, value));
  return reading.date;
}
