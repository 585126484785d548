/**
 * Prints what a suite measured as one line in a fixed format, `figures <suite>: key=value key=value …`,
 * straight to stdout (no jest console block, no stack location), so a passing run stays short and
 * the figures are easy to grep (`npm test | grep '^figures'`). Values must not hold spaces.
 */
export function printFigures(suite: string, figures: Record<string, string | number>): void {
  const body = Object.entries(figures)
    .map(([key, value]) => `${key}=${String(value).replace(/\s+/g, '_')}`)
    .join(' ');
  process.stdout.write(`figures ${suite}: ${body}\n`);
}
