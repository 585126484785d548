import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { JoinAttempt, JoinAuthorizer, SignalingModule, createSignalingWsAdapter } from '../../src';
import { nowSeconds, signJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';

const unauthorized = (streamId: string) => ({ command: 'error', definition: 'unauthorized_access', streamId });
const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });

describe('join authorisation with JWT', () => {
  const secret = 'join-secret';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ jwt: { secret } });
  });
  afterAll(() => t.close());

  it('accepts a token for the room (streamId claim) and one listing it (streamIds)', async () => {
    const a = await t.connect();
    a.send({ command: 'join', streamId: 'jwt-room', token: signJwt({ streamId: 'jwt-room', exp: nowSeconds() + 60 }, 'HS256', secret) });
    expect(await a.next()).toEqual(joined('jwt-room'));
    const b = await t.connect();
    b.send({ command: 'join', streamId: 'jwt-room', token: signJwt({ streamIds: ['other', 'jwt-room'] }, 'HS256', secret) });
    expect(await b.next()).toEqual(joined('jwt-room'));
    expect(await a.next()).toEqual({ command: 'start', streamId: 'jwt-room' });
    const c = await t.connect();
    c.send({ command: 'join', streamId: 'any-room', token: signJwt({ streamIds: ['*'] }, 'HS256', secret) });
    expect(await c.next()).toEqual(joined('any-room'));
  });

  it('refuses a missing, expired, wrong-room or badly signed token with unauthorized_access', async () => {
    const a = await t.connect();
    const cases = [
      undefined,
      signJwt({ streamId: 'jwt-x', exp: nowSeconds() - 120 }, 'HS256', secret),
      signJwt({ streamId: 'another-room' }, 'HS256', secret),
      signJwt({ streamId: 'jwt-x' }, 'HS256', 'not-the-secret'),
      signJwt({ streamId: 'jwt-x' }, 'none'),
      'garbage',
    ];
    for (const token of cases) {
      a.send({ command: 'join', streamId: 'jwt-x', token });
      expect(await a.next()).toEqual(unauthorized('jwt-x'));
    }
    // the refused joins changed nothing
    const b = await t.connect();
    b.send({ command: 'join', streamId: 'jwt-x', token: signJwt({ streamId: 'jwt-x' }, 'HS256', secret) });
    expect(await b.next()).toEqual(joined('jwt-x'));
    await a.expectSilence();
  });

  it('works with ES256 public keys', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = await startTestApp({ jwt: { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    try {
      const a = await es.connect();
      a.send({ command: 'join', streamId: 'es', token: signJwt({ streamId: 'es' }, 'ES256', privateKey) });
      expect(await a.next()).toEqual(joined('es'));
      a.send({ command: 'join', streamId: 'es2', token: signJwt({ streamId: 'es2' }, 'HS256', 'x') });
      expect(await a.next()).toEqual(unauthorized('es2'));
    } finally {
      await es.close();
    }
  });
});

@Injectable()
class OddRoomsOnly extends JoinAuthorizer {
  readonly seen: JoinAttempt[] = [];
  async authorize(attempt: JoinAttempt): Promise<boolean> {
    this.seen.push(attempt);
    await new Promise((r) => setTimeout(r, 5));
    if (attempt.streamId === 'explode') throw new Error('auth backend down');
    return attempt.streamId.startsWith('odd');
  }
}

@Module({ imports: [SignalingModule.forRoot({ path: '/auth', joinAuthorizer: OddRoomsOnly })] })
class HostModule {}

describe('a custom join authoriser from the host app', () => {
  it('is asked for every join, asynchronously, and a refusal or failure is unauthorized_access', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as AddressInfo;
      const a = await WsTestClient.connect(`ws://127.0.0.1:${port}/auth`);
      a.send({ command: 'join', streamId: 'odd-1', token: 't1' });
      a.send({ command: 'join', streamId: 'even-2' });
      a.send({ command: 'join', streamId: 'explode' });
      a.send({ command: 'leave', streamId: 'odd-1' });
      expect(await a.take(4)).toEqual([
        joined('odd-1'),
        unauthorized('even-2'),
        unauthorized('explode'),
        { command: 'notification', definition: 'leaved', streamId: 'odd-1' },
      ]);
      const authorizer = app.get(JoinAuthorizer) as OddRoomsOnly;
      expect(authorizer).toBeInstanceOf(OddRoomsOnly);
      expect(authorizer.seen[0]).toMatchObject({ streamId: 'odd-1', token: 't1', mode: 'both', remoteAddress: '127.0.0.1' });
      a.terminate();
    } finally {
      await app.close();
    }
  });
});
