import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { JoinAttempt, JoinAuthorizer, SignalingModule, createSignalingWsAdapter } from '../../src';
import { nowSeconds, signJwt } from '../support/jwt';
import { startTestApp, TestApp } from '../support/test-app';
import { WsTestClient } from '../support/ws-test-client';

const unauthorized = (streamId: string) => ({ command: 'error', definition: 'unauthorized_access', streamId });
const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
const STUN = 'stun:stun.example.org:3478';
const TURN = 'turn:turn.example.org:3478';
const TURN_SECRET = 'turn-shared-secret';
const stunOnly = { command: 'iceServerConfig', stunServerUri: STUN };

/** A TURN answer with time-limited credentials that coturn would accept (TURN REST API). */
function expectTurnCredentials(reply: Record<string, unknown>): void {
  expect(reply).toEqual({
    command: 'iceServerConfig',
    stunServerUri: TURN,
    turnServerUsername: expect.stringMatching(/^\d+:[0-9a-f-]{36}$/),
    turnServerCredential: expect.any(String),
  });
  const username = reply.turnServerUsername as string;
  expect(Number(username.split(':')[0])).toBeGreaterThan(nowSeconds());
  expect(reply.turnServerCredential).toBe(createHmac('sha1', TURN_SECRET).update(username).digest('base64'));
}

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

describe('TURN credentials with join authorisation on (JWT)', () => {
  const secret = 'join-secret';
  const token = (claims: Record<string, unknown>, key = secret) => signJwt({ exp: nowSeconds() + 60, ...claims }, 'HS256', key);
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ jwt: { secret }, stunServerUri: STUN, turn: { uri: TURN, secret: TURN_SECRET } });
  });
  afterAll(() => t.close());

  it('a socket that joined no room gets the STUN server only, no TURN credentials', async () => {
    const a = await t.connect();
    a.send({ command: 'getIceServerConfig' });
    expect(await a.next()).toEqual(stunOnly);
    // a streamId without a token, or a token without a (valid) streamId, changes nothing
    a.send({ command: 'getIceServerConfig', streamId: 'turn-room' });
    a.send({ command: 'getIceServerConfig', token: token({ streamIds: ['*'] }) });
    a.send({ command: 'getIceServerConfig', token: token({ streamIds: ['*'] }), streamId: 'bad room!' });
    a.send({ command: 'getIceServerConfig', token: 42, streamId: 'turn-room' });
    expect(await a.take(4)).toEqual([stunOnly, stunOnly, stunOnly, stunOnly]);
  });

  it('after a join with a valid token: TURN with credentials; after leaving its last room: STUN only again', async () => {
    const a = await t.connect();
    a.send({ command: 'join', streamId: 'turn-joined', token: token({ streamId: 'turn-joined' }) });
    a.send({ command: 'getIceServerConfig' });
    const [ack, reply] = await a.take(2);
    expect(ack).toEqual(joined('turn-joined'));
    expectTurnCredentials(reply);
    a.send({ command: 'leave', streamId: 'turn-joined' });
    a.send({ command: 'getIceServerConfig' });
    expect(await a.take(2)).toEqual([{ command: 'notification', definition: 'leaved', streamId: 'turn-joined' }, stunOnly]);
  });

  it('a refused join does not entitle the socket to TURN', async () => {
    const a = await t.connect();
    a.send({ command: 'join', streamId: 'turn-refused', token: token({ streamId: 'turn-refused' }, 'wrong-secret') });
    a.send({ command: 'getIceServerConfig' });
    expect(await a.take(2)).toEqual([unauthorized('turn-refused'), stunOnly]);
  });

  it('a valid token for the streamId in the request itself: TURN with credentials, without joining', async () => {
    const a = await t.connect();
    a.send({ command: 'getIceServerConfig', streamId: 'turn-asked', token: token({ streamId: 'turn-asked' }) });
    expectTurnCredentials(await a.next());
    a.send({ command: 'getIceServerConfig', streamId: 'turn-any', token: token({ streamIds: ['*'] }) });
    expectTurnCredentials(await a.next());
    // it did not join anything
    a.send({ command: 'leave', streamId: 'turn-asked' });
    expect(await a.next()).toEqual({ command: 'error', definition: 'no_peer_associated_before', streamId: 'turn-asked' });
  });

  it('an invalid token in the request (wrong key, expired, other room, alg none, garbage): STUN only', async () => {
    const a = await t.connect();
    const invalid = [
      token({ streamId: 'turn-x' }, 'wrong-secret'),
      signJwt({ streamId: 'turn-x', exp: nowSeconds() - 120 }, 'HS256', secret),
      token({ streamId: 'another-room' }),
      signJwt({ streamId: 'turn-x' }, 'none'),
      `${token({ streamId: 'turn-x' })}==`,
      'garbage',
    ];
    for (const bad of invalid) a.send({ command: 'getIceServerConfig', streamId: 'turn-x', token: bad });
    expect(await a.take(invalid.length)).toEqual(invalid.map(() => stunOnly));
    // answers keep the order of the requests, valid or not
    a.send({ command: 'getIceServerConfig', streamId: 'turn-x', token: 'garbage' });
    a.send({ command: 'getIceServerConfig', streamId: 'turn-x', token: token({ streamId: 'turn-x' }) });
    a.send({ command: 'ping' });
    const [first, second, third] = await a.take(3);
    expect(first).toEqual(stunOnly);
    expectTurnCredentials(second);
    expect(third).toEqual({ command: 'pong' });
  });

  it('with no STUN server configured, a socket not entitled to TURN gets no reply (never an error)', async () => {
    const bare = await startTestApp({ jwt: { secret }, turn: { uri: TURN, username: 'alice', credential: 's3cret' } });
    try {
      const a = await bare.connect();
      a.send({ command: 'getIceServerConfig' });
      a.send({ command: 'getIceServerConfig', streamId: 'r', token: 'garbage' });
      await a.expectSilence();
      // static credentials are TURN credentials too: only for members and valid tokens
      a.send({ command: 'getIceServerConfig', streamId: 'r', token: token({ streamId: 'r' }) });
      expect(await a.next()).toEqual({ command: 'iceServerConfig', stunServerUri: TURN, turnServerUsername: 'alice', turnServerCredential: 's3cret' });
    } finally {
      await bare.close();
    }
  });

  it('without join authorisation nothing changes: every socket gets TURN', async () => {
    const open = await startTestApp({ stunServerUri: STUN, turn: { uri: TURN, secret: TURN_SECRET } });
    try {
      const a = await open.connect();
      a.send({ command: 'getIceServerConfig' });
      expectTurnCredentials(await a.next());
    } finally {
      await open.close();
    }
  });
});

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

@Injectable()
class EverybodyIn extends JoinAuthorizer {
  authorize(): boolean {
    return true;
  }
  override restrictsJoins(): boolean {
    return false;
  }
}

async function hostApp(joinAuthorizer: typeof OddRoomsOnly | typeof EverybodyIn) {
  @Module({
    imports: [
      SignalingModule.forRoot({ path: '/auth', stunServerUri: STUN, turn: { uri: TURN, secret: TURN_SECRET }, joinAuthorizer }),
    ],
  })
  class TurnHostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TurnHostModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(createSignalingWsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, connect: () => WsTestClient.connect(`ws://127.0.0.1:${port}/auth`) };
}

describe('TURN credentials with a custom join authoriser', () => {
  it('counts as join authorisation on: TURN for members and for tokens it accepts, asked with command getIceServerConfig', async () => {
    const { app, connect } = await hostApp(OddRoomsOnly);
    try {
      const a = await connect();
      a.send({ command: 'getIceServerConfig' });
      expect(await a.next()).toEqual(stunOnly);
      a.send({ command: 'getIceServerConfig', streamId: 'even-1', token: 't' });
      expect(await a.next()).toEqual(stunOnly);
      a.send({ command: 'getIceServerConfig', streamId: 'explode', token: 't' });
      expect(await a.next()).toEqual(stunOnly);
      a.send({ command: 'getIceServerConfig', streamId: 'odd-ice', token: 't-ice', mode: 'play' });
      expectTurnCredentials(await a.next());
      const authorizer = app.get(JoinAuthorizer) as OddRoomsOnly;
      expect(authorizer.seen.map((attempt) => attempt.streamId)).toEqual(['even-1', 'explode', 'odd-ice']);
      expect(authorizer.seen[2]).toMatchObject({ command: 'getIceServerConfig', streamId: 'odd-ice', token: 't-ice', mode: 'play' });
      // a member is not asked again
      const b = await connect();
      b.send({ command: 'join', streamId: 'odd-room' });
      b.send({ command: 'getIceServerConfig' });
      const [ack, reply] = await b.take(2);
      expect(ack).toEqual(joined('odd-room'));
      expectTurnCredentials(reply);
      expect(authorizer.seen.map((attempt) => [attempt.command, attempt.streamId])).toEqual([
        ['getIceServerConfig', 'even-1'],
        ['getIceServerConfig', 'explode'],
        ['getIceServerConfig', 'odd-ice'],
        ['join', 'odd-room'],
      ]);
      a.terminate();
      b.terminate();
    } finally {
      await app.close();
    }
  });

  it('an authoriser whose restrictsJoins() is false leaves TURN open, as without authorisation', async () => {
    const { app, connect } = await hostApp(EverybodyIn);
    try {
      const a = await connect();
      a.send({ command: 'getIceServerConfig' });
      expectTurnCredentials(await a.next());
      a.terminate();
    } finally {
      await app.close();
    }
  });
});
