import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import type { AdminModuleOptions } from './admin-options.interface';
import { resolveAdminOptions } from './admin-options';
import { ADMIN_MODULE_OPTIONS } from './admin.module-definition';

/**
 * Every admin route: the API key (`Authorization: Bearer <key>` or `X-API-Key`), compared in
 * constant time, or the host app's own guard when one is configured. Checks the options at init
 * (resolveAdminOptions): an app with a half-configured admin API does not start.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate, OnModuleInit {
  private keyDigest: Buffer | undefined;
  private delegate: CanActivate | undefined;

  constructor(
    @Inject(ADMIN_MODULE_OPTIONS) private readonly options: AdminModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    const { apiKey, guard } = resolveAdminOptions(this.options);
    if (guard) {
      // The host's own instance when it registered the guard as a provider, else a new one.
      this.delegate = this.findProvider(guard) ?? (await this.moduleRef.create(guard));
    } else {
      this.keyDigest = digest(apiKey);
    }
  }

  private findProvider(guard: NonNullable<AdminModuleOptions['guard']>): CanActivate | undefined {
    try {
      return this.moduleRef.get(guard, { strict: false });
    } catch {
      return undefined;
    }
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    if (this.delegate) return this.delegate.canActivate(context);
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const presented = presentedKey(request);
    if (presented === undefined) {
      throw new UnauthorizedException('API key required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    }
    if (!timingSafeEqual(digest(presented), this.keyDigest as Buffer)) {
      throw new UnauthorizedException('invalid API key');
    }
    return true;
  }
}

function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  const match = authorization && /^Bearer\s+(.+)$/i.exec(authorization);
  return match ? match[1].trim() : undefined;
}

/** Equal-length digests, so the comparison's time says nothing about the key or its length. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
