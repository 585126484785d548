/**
 * A history database that cannot be read: the history part reports it as a domain error
 * (HistoryUnavailableError), which the admin API answers with 503 and Nest's error body.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HistoryQueryService } from '../../src/persistence/history-query.service';
import { HistoryUnavailableError } from '../../src/persistence/history-unavailable.error';
import { HISTORY_CONNECTION } from '../../src/persistence/persistence.constants';
import { captureOutput } from '../support/capture-output';
import { admin } from '../support/http';
import { startTestApp, type TestApp } from '../support/test-app';

describe('history database that cannot be read', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get<DataSource>(getDataSourceToken(HISTORY_CONNECTION));
    await dataSource.destroy();
  });
  afterAll(async () => {
    if (!dataSource.isInitialized) await dataSource.initialize();
    await t.close();
  });

  it('HistoryQueryService throws HistoryUnavailableError, not an HTTP exception', async () => {
    const query = t.app.get(HistoryQueryService);
    const failure = await query.listSessions({ limit: 1, offset: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HistoryUnavailableError);
    expect((failure as Error).message).toMatch(/^history database unavailable: /);
  });

  it.each(['/api/v1/sessions', '/api/v1/history/rooms', '/api/v1/stats'])('GET %s answers 503 with the error body, and logs it once', async (path) => {
    const { result: response, stdout, stderr } = await captureOutput(() => admin(t).get(path).expect(503));
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/^history database unavailable: /),
    });
    const logged = (stdout + stderr).split('\n').filter((line) => line.includes('ERROR'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`GET ${path}: 503 history database unavailable`);
  });

  it('live routes that do not read history still answer', async () => {
    await admin(t).get('/api/v1/rooms').expect(200);
  });
});
