/** Samples of a Prometheus text exposition, keyed `name` or `name{label="value",…}` as printed. */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** One sample's value; throws when the exposition lacks it. */
export function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const rendered = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const key = rendered.length ? `${name}{${rendered.join(',')}}` : name;
  const value = samples.get(key);
  if (value === undefined) throw new Error(`no sample ${key}`);
  return value;
}
