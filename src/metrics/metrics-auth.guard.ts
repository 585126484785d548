import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { METRICS_OPTIONS, type ResolvedMetricsOptions } from './metrics-options.interface';

/** `GET /metrics`: open, or `Authorization: Bearer <apiKey>` (compared in constant time) when a key is configured. */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  private readonly keyDigest: Buffer | undefined;

  constructor(@Inject(METRICS_OPTIONS) options: ResolvedMetricsOptions) {
    this.keyDigest = options.apiKey ? digest(options.apiKey) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.keyDigest) return true;
    const authorization = context.switchToHttp().getRequest<IncomingMessage>().headers.authorization;
    const match = authorization && /^Bearer\s+(.+)$/i.exec(authorization);
    if (!match) throw new UnauthorizedException('metrics key required: send "Authorization: Bearer <key>"');
    if (!timingSafeEqual(digest(match[1].trim()), this.keyDigest)) throw new UnauthorizedException('invalid metrics key');
    return true;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
