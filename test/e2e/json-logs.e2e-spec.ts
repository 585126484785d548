import { createServer, type AddressInfo } from 'node:net';
import { CANDIDATE_MARKER, runCall, SDP_MARKER } from '../support/call';
import { captureOutput } from '../support/capture-output';
import { startTestApp } from '../support/test-app';

interface LogLine {
  level: string;
  context?: string;
  message: unknown;
}

describe('LOG_FORMAT=json', () => {
  it('the app logs only JSON lines, from boot to shutdown, at every level; SDPs and candidates never appear', async () => {
    // a webhook receiver that refuses connections, so that the dispatcher has a warning to log
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const { stdout, stderr } = await captureOutput(async () => {
      const t = await startTestApp(
        {},
        {
          logFormat: 'json',
          logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
          webhooks: { urls: [`http://127.0.0.1:${port}/hook`], secret: 's', maxRetries: 0, shutdownFlushMs: 500 },
        },
      );
      await runCall(t, 'json-logs');
      await t.close();
    });

    const lines = (stdout + stderr).split('\n').filter((line) => line.length > 0);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    for (const record of records) {
      expect(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).toContain(record.level);
      expect(record).toHaveProperty('message');
    }
    const has = (level: string, context: string, pattern: RegExp) =>
      records.some((r) => r.level === level && r.context === context && pattern.test(String(r.message)));
    expect(has('log', 'NestApplication', /Nest application successfully started/)).toBe(true);
    expect(has('log', 'WebhookDispatcher', /sending lifecycle events to 1 webhook receiver/)).toBe(true);
    expect(has('debug', 'SignalingService', /joined json-logs/)).toBe(true);
    expect(has('warn', 'WebhookDispatcher', /failed after 1 attempt\(s\): ECONNREFUSED/)).toBe(true);
    // the receiver is named by its origin only
    expect(lines.join('\n')).not.toContain('/hook');
    expect(lines.join('\n')).not.toContain(SDP_MARKER);
    expect(lines.join('\n')).not.toContain(CANDIDATE_MARKER);
  });
});
