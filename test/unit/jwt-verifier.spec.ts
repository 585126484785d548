import { createHmac, generateKeyPairSync } from 'node:crypto';
import { JwtVerifier } from '../../src/signaling/auth/jwt-verifier';
import { nowSeconds, signJwt } from '../support/jwt';

describe('JwtVerifier', () => {
  const secret = 'jwt-secret';
  const hs = new JwtVerifier({ secret, algorithms: ['HS256'], clockToleranceSeconds: 30 });

  it('accepts a valid HS256 token and returns its claims', async () => {
    const token = signJwt({ streamId: 'room1', exp: nowSeconds() + 60 }, 'HS256', secret);
    expect(await hs.verify(token)).toEqual({ claims: { streamId: 'room1', exp: expect.any(Number) } });
  });

  it('refuses a wrong secret, a tampered payload, alg none and unlisted algorithms', async () => {
    expect(await hs.verify(signJwt({ streamId: 'r' }, 'HS256', 'other'))).toEqual({ error: 'bad signature' });
    const [h, , sig] = signJwt({ streamId: 'r' }, 'HS256', secret).split('.');
    const forged = `${h}.${Buffer.from('{"streamId":"*"}').toString('base64url')}.${sig}`;
    expect(await hs.verify(forged)).toEqual({ error: 'bad signature' });
    expect(await hs.verify(signJwt({ streamId: 'r' }, 'none'))).toEqual({ error: 'algorithm none not accepted' });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await hs.verify(signJwt({ streamId: 'r' }, 'RS256', privateKey))).toEqual({ error: 'algorithm RS256 not accepted' });
  });

  it('honours exp and nbf with the clock tolerance', async () => {
    const now = nowSeconds();
    expect(await hs.verify(signJwt({ exp: now - 31 }, 'HS256', secret))).toEqual({ error: 'token expired' });
    expect('claims' in (await hs.verify(signJwt({ exp: now - 10 }, 'HS256', secret)))).toBe(true);
    expect(await hs.verify(signJwt({ nbf: now + 60 }, 'HS256', secret))).toEqual({ error: 'token not yet valid' });
    expect('claims' in (await hs.verify(signJwt({ nbf: now + 10 }, 'HS256', secret)))).toBe(true);
    expect(await hs.verify(signJwt({ exp: 'soon' }, 'HS256', secret))).toEqual({ error: 'token expired' });
    expect(await hs.verify(signJwt({ nbf: 'later' }, 'HS256', secret))).toEqual({ error: 'token not yet valid' });
  });

  it('checks exp and nbf against the time it is given', async () => {
    const token = signJwt({ nbf: 1_000, exp: 2_000 }, 'HS256', secret);
    expect(await hs.verify(token, 500_000)).toEqual({ error: 'token not yet valid' });
    expect('claims' in (await hs.verify(token, 1_500_000))).toBe(true);
    expect('claims' in (await hs.verify(token, 2_020_000))).toBe(true); // within the 30 s tolerance
    expect(await hs.verify(token, 2_040_000)).toEqual({ error: 'token expired' });
  });

  it('refuses malformed tokens', async () => {
    for (const token of ['', 'a.b', 'a.b.c.d', '!!!.???.***', `${Buffer.from('[]').toString('base64url')}.e30.x`]) {
      expect(await hs.verify(token)).toEqual({ error: 'malformed token' });
    }
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const notJson = `${header}.${Buffer.from('not json').toString('base64url')}`;
    const signed = (input: string) => `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(await hs.verify(signed(notJson))).toEqual({ error: 'malformed token' });
    const array = `${header}.${Buffer.from('[1]').toString('base64url')}`;
    expect(await hs.verify(signed(array))).toEqual({ error: 'malformed token' });
  });

  // Node's base64 decoder skips characters it does not know and takes padding and `+`/`/`: before
  // the canonical-form check, each of these verified as the token it extends.
  it('refuses a signature with characters appended', async () => {
    const token = signJwt({ streamId: 'r' }, 'HS256', secret);
    expect('claims' in (await hs.verify(token))).toBe(true);
    for (const extra of ['=', '==', '!', ' ', '\n', '\t', '%', '~', '.', 'A', 'AAAA']) {
      expect({ extra, result: await hs.verify(token + extra) }).toEqual({ extra, result: { error: expect.any(String) } });
    }
    // and characters inserted in the middle of a segment, or a header or payload with padding
    const [h, p, s] = token.split('.');
    expect(await hs.verify(`${h}.${p}.${s.slice(0, 10)}!${s.slice(10)}`)).toEqual({ error: 'malformed token' });
    expect(await hs.verify(`${h}=.${p}.${s}`)).toEqual({ error: 'malformed token' });
  });

  it('refuses a signature that is not canonical base64url (stray trailing bits)', async () => {
    const token = signJwt({ streamId: 'r' }, 'HS256', secret);
    const [h, p, s] = token.split('.');
    // 32 bytes are 43 characters: the last one carries 2 unused bits. Any other character with the
    // same first 4 bits decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1]);
    const twin = alphabet[last ^ 1];
    const variant = `${h}.${p}.${s.slice(0, -1)}${twin}`;
    expect(Buffer.from(variant.split('.')[2], 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    expect(await hs.verify(variant)).toEqual({ error: 'malformed token' });
  });

  it('refuses a signature in standard base64 (padding, + and /)', async () => {
    // Sign with varying claims until the standard-base64 signature has a '+' or '/'.
    let token = '';
    let standard = '';
    for (let n = 0; !/[+/]/.test(standard); n++) {
      token = signJwt({ streamId: 'r', n }, 'HS256', secret);
      standard = Buffer.from(token.split('.')[2], 'base64url').toString('base64');
    }
    expect(standard).toMatch(/=$/);
    const [h, p] = token.split('.');
    expect('claims' in (await hs.verify(token))).toBe(true);
    expect(await hs.verify(`${h}.${p}.${standard}`)).toEqual({ error: 'malformed token' });
    expect(await hs.verify(`${h}.${p}.${standard.replace(/=+$/, '')}`)).toEqual({ error: 'malformed token' });
    expect(await hs.verify(`${token}=`)).toEqual({ error: 'malformed token' });
  });

  it('escapes a client-supplied algorithm name in its reason', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'x\nINJECTED' })).toString('base64url');
    const token = `${header}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    expect(await hs.verify(token)).toEqual({ error: 'algorithm x\\nINJECTED not accepted' });
  });

  it('verifies RS256 and ES256 with a public key', async () => {
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
    expect('claims' in (await rs.verify(signJwt({ streamId: 'r' }, 'RS256', rsa.privateKey)))).toBe(true);
    expect('claims' in (await es.verify(signJwt({ streamId: 'r' }, 'ES256', ec.privateKey)))).toBe(true);
    const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await es.verify(signJwt({ streamId: 'r' }, 'ES256', otherEc.privateKey))).toEqual({ error: 'bad signature' });
    // appended characters on an ES256 signature (64 bytes: 86 characters, 4 unused bits)
    const token = signJwt({ streamId: 'r' }, 'ES256', ec.privateKey);
    for (const extra of ['=', '==', '\n', '!']) expect(await es.verify(token + extra)).toEqual({ error: 'malformed token' });
  });

  it('refuses a token whose algorithm does not fit the key (an RSA key, an ES256 token)', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const both = new JwtVerifier({
      publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['RS256', 'ES256'],
      clockToleranceSeconds: 0,
    });
    expect(await both.verify(signJwt({ streamId: 'r' }, 'ES256', ec.privateKey))).toEqual({ error: 'bad signature' });
    expect('claims' in (await both.verify(signJwt({ streamId: 'r' }, 'RS256', rsa.privateKey)))).toBe(true);
  });

  it('uses an HS256 secret and a public key side by side, each for its algorithm', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const mixed = new JwtVerifier({
      secret,
      publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['HS256', 'ES256'],
      clockToleranceSeconds: 0,
    });
    expect('claims' in (await mixed.verify(signJwt({ streamId: 'r' }, 'HS256', secret)))).toBe(true);
    expect('claims' in (await mixed.verify(signJwt({ streamId: 'r' }, 'ES256', ec.privateKey)))).toBe(true);
    // no secret: an HS256 token is refused even when HS256 is listed
    const keyOnly = new JwtVerifier({
      publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['HS256', 'ES256'],
      clockToleranceSeconds: 0,
    });
    expect(await keyOnly.verify(signJwt({ streamId: 'r' }, 'HS256', 'guess'))).toEqual({ error: 'bad signature' });
  });
});
