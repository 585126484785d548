import { loadAppConfig } from '../../src/config/app-config';
import { createAppLogger } from '../../src/config/app-logger';
import { captureOutput } from '../support/capture-output';

const ENV = { ADMIN_API_KEY: 'k', DATABASE_PATH: ':memory:' };

describe('app logger', () => {
  it('json: one JSON object per line with level, pid, timestamp, context and message; errors on stderr with their stack', async () => {
    const logger = createAppLogger(['fatal', 'error', 'warn', 'log'], 'json');
    const { stdout, stderr } = await captureOutput(async () => {
      logger.log('room opened', 'Rooms');
      logger.warn({ queued: 3 }, 'Webhooks');
      logger.debug('not enabled', 'Rooms');
      logger.error('write failed', 'Error: write failed\n    at somewhere', 'History');
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [log, warn] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log).toEqual({ level: 'log', pid: process.pid, timestamp: expect.any(Number), context: 'Rooms', message: 'room opened' });
    expect(Math.abs((log.timestamp as number) - Date.now())).toBeLessThan(5000);
    expect(warn).toMatchObject({ level: 'warn', context: 'Webhooks', message: { queued: 3 } });
    const errors = stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0])).toMatchObject({
      level: 'error',
      context: 'History',
      message: 'write failed',
      stack: 'Error: write failed\n    at somewhere',
    });
    expect(stdout + stderr).not.toContain('\u001b['); // no colour codes
  });

  it('pretty (the default): Nest’s usual line, not JSON', async () => {
    const logger = createAppLogger(['log']);
    const { stdout } = await captureOutput(async () => logger.log('room opened', 'Rooms'));
    const plain = stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\[Nest\] \d+ +- .+ +LOG \[Rooms\] room opened\n$/);
    expect(() => JSON.parse(stdout)).toThrow();
  });

  it('LOG_FORMAT selects it (pretty by default), METRICS_API_KEY the metrics key', () => {
    expect(loadAppConfig(ENV).logFormat).toBe('pretty');
    expect(loadAppConfig({ ...ENV, LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadAppConfig({ ...ENV, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be one of pretty, json/);
    expect(loadAppConfig(ENV).metrics).toEqual({ apiKey: undefined });
    expect(loadAppConfig({ ...ENV, METRICS_API_KEY: 'm' }).metrics).toEqual({ apiKey: 'm' });
  });
});
