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

function toDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const reading = readTimestamp(value);
  // The DTOs validate with IsTimestamp: this only guards a caller that did not.
  if (!reading.ok) throw new BadRequestException(timestampMessage(name, value));
  return reading.date;
}
