import { BadRequestException } from '@nestjs/common';
import type { TimeWindow } from '../persistence/history-query.service';

/** ISO strings from a validated query → dates, refusing an empty window. */
export function parseWindow(from?: string, to?: string): TimeWindow {
  const window: TimeWindow = { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
  if (window.from && window.to && window.from >= window.to) {
    throw new BadRequestException('from must be before to');
  }
  return window;
}
