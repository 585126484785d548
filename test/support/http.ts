import request from 'supertest';
import type { TestApp } from './test-app';
import { TEST_API_KEY } from './test-app';

/** supertest against the app's HTTP server, authenticated with the test admin key. */
export function admin(t: TestApp) {
  const server = t.app.getHttpServer();
  const auth = `Bearer ${TEST_API_KEY}`;
  return {
    get: (path: string) => request(server).get(path).set('Authorization', auth),
    delete: (path: string) => request(server).delete(path).set('Authorization', auth),
    anonymous: () => request(server),
  };
}
