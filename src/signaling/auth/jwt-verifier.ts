import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface JwtClaims {
  readonly [claim: string]: unknown;
  readonly exp?: number;
  readonly nbf?: number;
}

export interface JwtVerifierOptions {
  secret?: string;
  publicKey?: string;
  algorithms: JwtAlgorithm[];
  clockToleranceSeconds: number;
}

/**
 * Verifies compact JWS tokens (HS256, RS256, ES256) with node:crypto and checks `exp`/`nbf`.
 * Returns the claims, or a reason the token is refused. `alg: none` and unlisted algorithms are refused.
 */
export class JwtVerifier {
  private readonly secret: Buffer | undefined;
  private readonly publicKey: KeyObject | undefined;

  constructor(private readonly options: JwtVerifierOptions) {
    this.secret = options.secret ? Buffer.from(options.secret) : undefined;
    this.publicKey = options.publicKey ? createPublicKey(options.publicKey) : undefined;
  }

  verify(token: string, nowMs: number = Date.now()): { claims: JwtClaims } | { error: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { error: 'malformed token' };
    const [headerPart, payloadPart, signaturePart] = parts;
    const header = decodeJson(headerPart);
    const claims = decodeJson(payloadPart);
    if (!header || !claims) return { error: 'malformed token' };
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.options.algorithms.includes(alg as JwtAlgorithm)) {
      return { error: `algorithm ${String(alg)} not accepted` };
    }
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (!this.checkSignature(alg as JwtAlgorithm, signed, signature)) return { error: 'bad signature' };
    const now = nowMs / 1000;
    const leeway = this.options.clockToleranceSeconds;
    if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now > claims.exp + leeway)) {
      return { error: 'token expired' };
    }
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf - leeway)) {
      return { error: 'token not yet valid' };
    }
    return { claims };
  }

  private checkSignature(alg: JwtAlgorithm, signed: Buffer, signature: Buffer): boolean {
    try {
      if (alg === 'HS256') {
        if (!this.secret) return false;
        const expected = createHmac('sha256', this.secret).update(signed).digest();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      }
      if (!this.publicKey) return false;
      if (alg === 'RS256') return verify('RSA-SHA256', signed, this.publicKey, signature);
      return verify('sha256', signed, { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  }
}

function decodeJson(part: string): (Record<string, unknown> & JwtClaims) | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}
