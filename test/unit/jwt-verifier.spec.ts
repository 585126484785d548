import { generateKeyPairSync } from 'node:crypto';
import { JwtVerifier } from '../../src/signaling/auth/jwt-verifier';
import { nowSeconds, signJwt } from '../support/jwt';

describe('JwtVerifier', () => {
  const secret = 'jwt-secret';
  const hs = new JwtVerifier({ secret, algorithms: ['HS256'], clockToleranceSeconds: 30 });

  it('accepts a valid HS256 token and returns its claims', () => {
    const token = signJwt({ streamId: 'room1', exp: nowSeconds() + 60 }, 'HS256', secret);
    expect(hs.verify(token)).toEqual({ claims: { streamId: 'room1', exp: expect.any(Number) } });
  });

  it('refuses a wrong secret, a tampered payload, alg none and unlisted algorithms', () => {
    expect(hs.verify(signJwt({ streamId: 'r' }, 'HS256', 'other'))).toEqual({ error: 'bad signature' });
    const [h, , sig] = signJwt({ streamId: 'r' }, 'HS256', secret).split('.');
    const forged = `${h}.${Buffer.from('{"streamId":"*"}').toString('base64url')}.${sig}`;
    expect(hs.verify(forged)).toEqual({ error: 'bad signature' });
    expect(hs.verify(signJwt({ streamId: 'r' }, 'none'))).toEqual({ error: 'algorithm none not accepted' });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(hs.verify(signJwt({ streamId: 'r' }, 'RS256', privateKey))).toEqual({ error: 'algorithm RS256 not accepted' });
  });

  it('honours exp and nbf with the clock tolerance', () => {
    const now = nowSeconds();
    expect(hs.verify(signJwt({ exp: now - 31 }, 'HS256', secret))).toEqual({ error: 'token expired' });
    expect('claims' in hs.verify(signJwt({ exp: now - 10 }, 'HS256', secret))).toBe(true);
    expect(hs.verify(signJwt({ nbf: now + 60 }, 'HS256', secret))).toEqual({ error: 'token not yet valid' });
    expect(hs.verify(signJwt({ exp: 'soon' }, 'HS256', secret))).toEqual({ error: 'token expired' });
  });

  it('refuses malformed tokens', () => {
    for (const token of ['', 'a.b', 'a.b.c.d', '!!!.???.***', `${Buffer.from('[]').toString('base64url')}.e30.x`]) {
      expect(hs.verify(token)).toEqual({ error: 'malformed token' });
    }
  });

  it('verifies RS256 and ES256 with a public key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rs = new JwtVerifier({
      publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['RS256'],
      clockToleranceSeconds: 0,
    });
    const es = new JwtVerifier({
      publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['ES256'],
      clockToleranceSeconds: 0,
    });
    expect('claims' in rs.verify(signJwt({ streamId: 'r' }, 'RS256', rsa.privateKey))).toBe(true);
    expect('claims' in es.verify(signJwt({ streamId: 'r' }, 'ES256', ec.privateKey))).toBe(true);
    const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(es.verify(signJwt({ streamId: 'r' }, 'ES256', otherEc.privateKey))).toEqual({ error: 'bad signature' });
  });
});
