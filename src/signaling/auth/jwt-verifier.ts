import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { logSafe } from '../log-safe';

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

export type JwtVerification = { claims: JwtClaims } | { error: string };

/**
 * A compact JWS of three base64url segments (RFC 7515: no padding, no `+` or `/`, nothing else);
 * the signature is empty only for `alg: none`, refused later by the algorithm list.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Verifies compact JWS tokens (HS256, RS256, ES256) with `jose` and checks `exp`/`nbf` with the
 * clock tolerance. Resolves the claims, or the reason the token is refused. `alg: none` and unlisted
 * algorithms are refused.
 *
 * Each segment must be canonical base64url, as the JWS spec has it: Node's decoder (which `jose`
 * uses) skips characters it does not know and accepts padding and standard-base64 `+`/`/`, so
 * `<token>==`, `<token>\n` or a signature in standard base64 would otherwise verify as the token.
 */
export class JwtVerifier {
  private readonly secret: KeyObject | undefined;
  private readonly publicKey: KeyObject | undefined;
  private readonly keyFor = (header: JWTHeaderParameters): KeyObject => {
    const key = header.alg === 'HS256' ? this.secret : this.publicKey;
    if (!key) throw new NoKeyError();
    return key;
  };

  constructor(private readonly options: JwtVerifierOptions) {
    this.secret = options.secret ? createSecretKey(Buffer.from(options.secret, 'utf8')) : undefined;
    this.publicKey = options.publicKey ? createPublicKey(options.publicKey) : undefined;
  }

  async verify(token: string, nowMs: number = Date.now()): Promise<JwtVerification> {
    if (!isCanonicalCompactJws(token)) return { error: 'malformed token' };
    try {
      const { payload } = await jwtVerify(token, this.keyFor, {
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(nowMs),
      });
      return { claims: payload as JwtClaims };
    } catch (error) {
      return { error: refusal(error, token) };
    }
  }
}

class NoKeyError extends Error {}

function isCanonicalCompactJws(token: string): boolean {
  if (typeof token !== 'string' || !COMPACT_JWS.test(token)) return false;
  // Canonical: the segment is exactly what its bytes encode to (no stray trailing bits, no length ≡ 1 mod 4).
  return token.split('.').every((segment) => Buffer.from(segment, 'base64url').toString('base64url') === segment);
}

/** The reason a token was refused, from what `jose` threw: fixed text, and client-supplied parts escaped (logSafe). */
function refusal(error: unknown, token: string): string {
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof NoKeyError) return 'bad signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return `algorithm ${logSafe(algorithmOf(token), 32)} not accepted`;
  // An unknown `crit` header parameter.
  if (error instanceof errors.JOSENotSupported) return 'unsupported token';
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'token expired';
    if (error.claim === 'nbf') return 'token not yet valid';
    return `invalid ${logSafe(error.claim, 32)} claim`;
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  // A key that does not fit the algorithm (an RSA key for ES256…): jose throws a TypeError.
  return 'bad signature';
}

function algorithmOf(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg);
  } catch {
    return 'undefined';
  }
}
