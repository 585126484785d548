import { createHmac, sign, type KeyObject } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a compact JWS for tests: HS256 with a secret, RS256/ES256 with a private key. */
export function signJwt(claims: Record<string, unknown>, alg: 'HS256' | 'RS256' | 'ES256' | 'none', key?: string | KeyObject): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  let signature: Buffer;
  if (alg === 'none') signature = Buffer.alloc(0);
  else if (alg === 'HS256') signature = createHmac('sha256', key as string).update(input).digest();
  else if (alg === 'RS256') signature = sign('RSA-SHA256', Buffer.from(input), key as KeyObject);
  else signature = sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
