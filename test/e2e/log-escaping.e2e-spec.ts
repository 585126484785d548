import { ConsoleLogger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { SignalingModule, createSignalingWsAdapter } from '../../src';
import { captureOutput } from '../support/capture-output';
import { WsTestClient } from '../support/ws-test-client';

/**
 * Client-supplied text in log lines (Nest's pretty format, debug level): a client must not be able to
 * forge a line, colour the terminal or hide text. Everything a client controls is escaped (logSafe).
 */
describe('client-supplied text in log lines', () => {
  @Module({ imports: [SignalingModule.forRoot({ path: '/logs', trustForwardedFor: true })] })
  class LoggedModule {}

  async function withApp(scenario: (connect: (headers?: Record<string, string>) => Promise<WsTestClient>) => Promise<void>) {
    return captureOutput(async () => {
      const moduleRef = await Test.createTestingModule({ imports: [LoggedModule] }).compile();
      const app = moduleRef.createNestApplication({
        logger: new ConsoleLogger({ logLevels: ['fatal', 'error', 'warn', 'log', 'debug'] }),
      });
      app.useWebSocketAdapter(createSignalingWsAdapter(app));
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const clients: WsTestClient[] = [];
      try {
        await scenario(async (headers) => {
          const client = await WsTestClient.connect(`ws://127.0.0.1:${port}/logs`, { headers });
          clients.push(client);
          return client;
        });
      } finally {
        for (const client of clients) client.terminate();
        await app.close();
      }
    });
  }

  it('an unknown command name with \\n, \\r, an ANSI escape and U+2028 is logged as one escaped line', async () => {
    const command = 'evil\n[Nest] 1 LOG [Admin] FORGED\r\u001b[31mred\u2028after';
    const { stdout, stderr } = await withApp(async (connect) => {
      const a = await connect();
      a.send({ command });
      a.send({ command: 'ping' });
      expect(await a.next()).toEqual({ command: 'pong' }); // the unknown command was handled (and logged) before
    });
    const output = stdout + stderr;
    const lines = output.split('\n').filter((line) => line.includes('ignored unknown command'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'ignored unknown command "evil\\n[Nest] 1 LOG [Admin] FORGED\\r\\u001b[31mred\\u2028after"',
    );
    expect(output.split('\n').filter((line) => line.includes('FORGED'))).toHaveLength(1);
    expect(output).not.toContain('\r');
    expect(output).not.toContain('\u2028');
    expect(output).not.toContain('\u001b[31m');
  });

  it('a long unknown command name is cut', async () => {
    const { stdout } = await withApp(async (connect) => {
      const a = await connect();
      a.send({ command: `x${'y'.repeat(5000)}` });
      a.send({ command: 'ping' });
      await a.next();
    });
    const line = stdout.split('\n').find((l) => l.includes('ignored unknown command')) as string;
    expect(line).toContain(`"x${'y'.repeat(63)}…(+4937 chars)"`);
  });

  it('a forwarded client address with C1 controls (X-Forwarded-For) is escaped', async () => {
    // HTTP header values may carry bytes 0x80-0xff: U+009B is a one-character CSI to many terminals
    const { stdout } = await withApp(async (connect) => {
      const a = await connect({ 'X-Forwarded-For': '\u009b31m203.0.113.9\u0085FORGED' });
      a.send({ command: 'ping' });
      await a.next();
    });
    const lines = stdout.split('\n').filter((line) => line.includes('opened from'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('opened from \\u009b31m203.0.113.9\\u0085FORGED');
    expect(stdout).not.toMatch(/[\u0085\u009b]/);
  });
});
