'use strict';
/**
 * A host app on Nest 11, CommonJS: a plain node script (no compiler), decorators applied as
 * functions, the library taken from the packed tarball installed in this folder. HOST_PARTS lists the
 * optional parts to add: `history` (PersistenceModule on the SQLite file HOST_SQLITE) and `redis`
 * (RedisSignalingModule on HOST_REDIS_URL, with the Redis room registry and relay). Prints
 * `LISTENING <port>` once it serves; SIGTERM closes it gracefully (enableShutdownHooks).
 */
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { SignalingModule, createSignalingWsAdapter } = require('nest-ams-p2p-signaling');

async function main() {
  const parts = (process.env.HOST_PARTS || '').split(',').filter(Boolean);
  const imports = [];
  const signaling = { path: '/WebRTCAppEE/websocket', isGlobal: true };
  if (parts.includes('history')) {
    const { PersistenceModule, sqliteOptions } = require('nest-ams-p2p-signaling/history');
    imports.push(PersistenceModule.forRoot({ database: sqliteOptions(process.env.HOST_SQLITE), nodeId: process.env.HOST_NODE_ID }));
  }
  if (parts.includes('redis')) {
    const { RedisSignalingModule, RedisRoomRegistry, RedisSignalingRelay } = require('nest-ams-p2p-signaling/redis');
    imports.push(
      RedisSignalingModule.forRoot({ url: process.env.HOST_REDIS_URL, nodeId: process.env.HOST_NODE_ID, keyPrefix: process.env.HOST_REDIS_PREFIX }),
    );
    Object.assign(signaling, { roomRegistry: RedisRoomRegistry, relay: RedisSignalingRelay });
  }
  imports.push(SignalingModule.forRoot(signaling));

  class AppModule {}
  Module({ imports })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: ['fatal', 'error', 'warn'] });
  app.useWebSocketAdapter(createSignalingWsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  console.log(`LISTENING ${app.getHttpServer().address().port}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
