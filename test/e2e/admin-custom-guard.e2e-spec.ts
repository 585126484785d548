import { CanActivate, ExecutionContext, Global, Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { IncomingMessage } from 'node:http';
import { SignalingModule, createSignalingWsAdapter } from '../../src';
import { AdminModule } from '../../src/admin';
import { PersistenceModule, sqliteOptions } from '../../src/persistence';
import { tempSqlitePath } from '../support/test-app';

@Injectable()
class AllowedRoles {
  readonly roles = new Set(['operator']);
}

@Global()
@Module({ providers: [AllowedRoles], exports: [AllowedRoles] })
class HostAuthModule {}

/** A host app's own guard, with a dependency of the host. */
@Injectable()
class RoleHeaderGuard implements CanActivate {
  constructor(private readonly allowed: AllowedRoles) {}

  canActivate(context: ExecutionContext): boolean {
    const role = context.switchToHttp().getRequest<IncomingMessage>().headers['x-role'];
    if (typeof role === 'string' && this.allowed.roles.has(role)) return true;
    throw new UnauthorizedException('operators only');
  }
}

describe('AdminModule with a host guard instead of the API key', () => {
  it('authorises admin routes with the host guard', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HostAuthModule,
        SignalingModule.forRoot({ isGlobal: true }),
        PersistenceModule.forRoot({ database: sqliteOptions(tempSqlitePath()), nodeId: 'host' }),
        AdminModule.forRoot({ guard: RoleHeaderGuard }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await app.init();
    try {
      const server = app.getHttpServer();
      await request(server).get('/api/v1/rooms').set('x-role', 'operator').expect(200);
      const denied = await request(server).get('/api/v1/rooms').set('x-role', 'guest').expect(401);
      expect(denied.body.message).toBe('operators only');
      // the API key means nothing here
      await request(server).get('/api/v1/rooms').set('X-API-Key', 'anything').expect(401);
    } finally {
      await app.close();
    }
  });

  it('refuses to boot with neither an API key nor a guard', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SignalingModule.forRoot({ isGlobal: true }),
        PersistenceModule.forRoot({ database: sqliteOptions(tempSqlitePath()), nodeId: 'host' }),
        AdminModule.forRoot({}),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    await expect(app.init()).rejects.toThrow('AdminModule: configure an apiKey or a guard');
    await app.close().catch(() => undefined);
  });
});
