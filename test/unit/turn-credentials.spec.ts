import { JoinAuthorizer } from '../../src/signaling/auth/join-authorizer';
import { JwtJoinAuthorizer } from '../../src/signaling/auth/jwt-join-authorizer';
import { createTurnCredentials } from '../../src/signaling/ice/turn-credentials';
import { resolveSignalingOptions } from '../../src/signaling/signaling-options';

/**
 * HMAC-SHA1 through WebCrypto (globalThis.crypto.subtle): an implementation independent of
 * node:crypto's createHmac, which the code under test uses.
 */
async function webCryptoHmacSha1Base64(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(message));
  return Buffer.from(signature).toString('base64');
}

describe('createTurnCredentials (TURN REST API / coturn use-auth-secret)', () => {
  it('matches a known-answer vector computed with Python’s hmac module', () => {
    // python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'secret', b'1700000600:user', hashlib.sha1).digest()).decode())"
    const { username, credential } = createTurnCredentials('secret', 'user', 600, 1_700_000_000_000);
    expect(username).toBe('1700000600:user');
    expect(credential).toBe('Agcx/EhjAfaNg7MhzV//om6OmIk=');
  });

  it('matches a known-answer vector with non-ASCII secret and user id (UTF-8)', () => {
    // python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new('sécret-ü'.encode(), '1700086400:conn-é'.encode(), hashlib.sha1).digest()).decode())"
    const { username, credential } = createTurnCredentials('sécret-ü', 'conn-é', 86_400, 1_700_000_000_000);
    expect(username).toBe('1700086400:conn-é');
    expect(credential).toBe('nfkSY2yPRwLwr0eVwK4z3EWK2hQ=');
  });

  it('username is <floor(now/1000)+ttl>:<userId>', () => {
    expect(createTurnCredentials('s', 'id', 600, 1_700_000_000_999).username).toBe('1700000600:id');
    expect(createTurnCredentials('s', 'id', 1, 1_700_000_000_001).username).toBe('1700000001:id');
    expect(createTurnCredentials('s', 'id', 86_400, 999).username).toBe('86400:id');
    // a user id may itself contain colons: only the first one separates the expiry
    const { username } = createTurnCredentials('s', 'a:b', 10, 5_000);
    expect(username).toBe('15:a:b');
  });

  it('defaults now to Date.now()', () => {
    const spy = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_500);
    try {
      expect(createTurnCredentials('s', 'u', 60).username).toBe('1800000060:u');
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['shared-secret', '4f1c2a0e-1111-4222-8333-944455556666', 86_400, 1_764_000_000_123],
    ['x', 'u', 1, 0],
    ['a much longer secret than the 64-byte SHA-1 block size, so that HMAC hashes the key first!!', 'peer', 3_600, 1_700_000_123_456],
  ])('credential = base64(HMAC-SHA1(secret, username)) checked with WebCrypto (%#)', async (secret, userId, ttl, now) => {
    const { username, credential } = createTurnCredentials(secret, userId, ttl, now);
    expect(username).toBe(`${Math.floor(now / 1000) + ttl}:${userId}`);
    expect(credential).toBe(await webCryptoHmacSha1Base64(secret, username));
    // 20-byte SHA-1 digest in standard base64 with padding
    expect(credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(Buffer.from(credential, 'base64')).toHaveLength(20);
  });

  it('the WebCrypto helper itself agrees with the Python vector', async () => {
    expect(await webCryptoHmacSha1Base64('secret', '1700000600:user')).toBe('Agcx/EhjAfaNg7MhzV//om6OmIk=');
  });

  it('different secrets, users or expiries give different credentials', () => {
    const base = createTurnCredentials('secret', 'user', 600, 1_700_000_000_000).credential;
    expect(createTurnCredentials('secret2', 'user', 600, 1_700_000_000_000).credential).not.toBe(base);
    expect(createTurnCredentials('secret', 'user2', 600, 1_700_000_000_000).credential).not.toBe(base);
    expect(createTurnCredentials('secret', 'user', 601, 1_700_000_000_000).credential).not.toBe(base);
  });
});

describe('JoinAuthorizer.restrictsJoins (TURN credentials only for members and valid tokens while true)', () => {
  it('the default JWT authoriser: on with a jwt key, off without', () => {
    expect(new JwtJoinAuthorizer(resolveSignalingOptions({ jwt: { secret: 's' } })).restrictsJoins()).toBe(true);
    expect(new JwtJoinAuthorizer(resolveSignalingOptions({})).restrictsJoins()).toBe(false);
  });

  it('an authoriser of the host app: on, unless it says otherwise', () => {
    class Custom extends JoinAuthorizer {
      authorize(): boolean {
        return true;
      }
    }
    class BuiltOnJwt extends JwtJoinAuthorizer {}
    expect(new Custom().restrictsJoins()).toBe(true);
    expect(new BuiltOnJwt(resolveSignalingOptions({})).restrictsJoins()).toBe(true);
  });
});
