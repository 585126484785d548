import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  username: string;
  credential: string;
}

/**
 * Time-limited TURN credentials (the TURN REST API scheme that coturn's `use-auth-secret` checks):
 * username = `<expiry unix time>:<user id>`, credential = base64(HMAC-SHA1(secret, username)).
 */
export function createTurnCredentials(
  secret: string,
  userId: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}
