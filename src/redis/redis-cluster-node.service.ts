import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseClusterMessage, type ClusterMessage } from './cluster-messages';
import { RedisKeys } from './redis-keys';
import type { ResolvedRedisSignalingOptions } from './redis-signaling-options';
import {
  FIND_SESSION_SCRIPT,
  FORGET_NODE_SCRIPT,
  JOIN_SCRIPT,
  LEAVE_SCRIPT,
  LEAVE_SESSION_SCRIPT,
  RELEASE_LEASE_SCRIPT,
  RENEW_LEASE_SCRIPT,
  SYNC_COUNTERS_SCRIPT,
} from './redis-scripts';
import { REDIS_SIGNALING_OPTIONS } from './redis-signaling.module-definition';

/** The registry's scripts, as ioredis commands (defineCommand: EVALSHA with a fallback to EVAL). */
export interface SignalingRedis extends Redis {
  sigJoin(...args: Array<string | number>): Promise<unknown[]>;
  sigLeave(...args: Array<string | number>): Promise<unknown[]>;
  sigLeaveSession(...args: Array<string | number>): Promise<unknown[]>;
  sigFindSession(...args: Array<string | number>): Promise<unknown[] | null>;
  sigSyncCounters(...args: Array<string | number>): Promise<number>;
  sigRenewLease(...args: Array<string | number>): Promise<number>;
  sigReleaseLease(...args: Array<string | number>): Promise<number>;
  sigForgetNode(...args: Array<string | number>): Promise<number>;
}

const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * This node in the Redis-backed cluster: its identity (node id and the id of this run, the
 * "incarnation"), its three Redis connections and its channel.
 * - `commands`: scripts and reads;
 * - `publisher`: every PUBLISH of this node, so that what it sends another node arrives in order;
 * - `subscriber`: SUBSCRIBEd to this node's channel; messages go to the listeners (registry, relay).
 * Connections close at application shutdown, after signaling has ended its sessions.
 */
@Injectable()
export class RedisClusterNode implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisClusterNode.name);
  readonly nodeId: string;
  /** Id of this run of the node: the lease's value, so a restarted node tells its lease from its previous run's. */
  readonly incarnation = randomUUID();
  /** Every key and channel name of the cluster. */
  readonly keys: RedisKeys;
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  readonly kickTimeoutMs: number;
  readonly commands: SignalingRedis;
  readonly publisher: Redis;
  readonly subscriber: Redis;
  private readonly listeners: Array<(message: ClusterMessage) => void> = [];
  private lastErrorLog = 0;
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly leaseListeners: Array<() => void> = [];
  private closed = false;

  constructor(@Inject(REDIS_SIGNALING_OPTIONS) options: ResolvedRedisSignalingOptions) {
    this.nodeId = options.nodeId;
    this.keys = new RedisKeys(options.keyPrefix);
    this.leaseMs = options.leaseMs;
    this.renewIntervalMs = options.renewIntervalMs;
    this.kickTimeoutMs = options.kickTimeoutMs;
    // Clients connect now and queue commands until connected, so other providers' init may use them.
    this.commands = this.client(options, 'commands') as SignalingRedis;
    this.publisher = this.client(options, 'publisher');
    this.subscriber = this.client(options, 'subscriber');
    this.commands.defineCommand('sigJoin', { numberOfKeys: 5, lua: JOIN_SCRIPT });
    this.commands.defineCommand('sigLeave', { numberOfKeys: 0, lua: LEAVE_SCRIPT });
    this.commands.defineCommand('sigLeaveSession', { numberOfKeys: 0, lua: LEAVE_SESSION_SCRIPT });
    this.commands.defineCommand('sigFindSession', { numberOfKeys: 0, lua: FIND_SESSION_SCRIPT });
    this.commands.defineCommand('sigSyncCounters', { numberOfKeys: 2, lua: SYNC_COUNTERS_SCRIPT });
    this.commands.defineCommand('sigRenewLease', { numberOfKeys: 1, lua: RENEW_LEASE_SCRIPT });
    this.commands.defineCommand('sigReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE_SCRIPT });
    this.commands.defineCommand('sigForgetNode', { numberOfKeys: 3, lua: FORGET_NODE_SCRIPT });
    this.subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
  }

  /** Takes the lease (then renews it every third of its life) and subscribes to this node's channel. */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.commands.ping(), this.publisher.ping()]);
    await this.claimLease();
    this.leaseTimer = setInterval(() => this.renewLease(), this.renewIntervalMs);
    this.leaseTimer.unref();
    await this.subscriber.subscribe(this.channelOf(this.nodeId));
    this.logger.log(`node ${this.nodeId} joined the Redis cluster (key prefix "${this.keys.prefix}", lease ${this.leaseMs} ms)`);
  }

  /** After signaling ended its sessions (onModuleDestroy) and history was flushed. */
  async onApplicationShutdown(): Promise<void> {
    this.stopRenewing();
    if (this.closed) return;
    this.closed = true;
    try {
      await this.commands.sigReleaseLease(this.keys.lease(this.nodeId), this.incarnation);
    } catch (error) {
      this.logger.warn(`could not release the lease: ${(error as Error).message}`);
    }
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit(), this.commands.quit()]);
  }

  /** The channel of a node. */
  channelOf(nodeId: string): string {
    return this.keys.channel(nodeId);
  }

  /** Whether `nodeId` holds its lease now (it runs and reaches Redis). */
  async holdsLease(nodeId: string): Promise<boolean> {
    return (await this.commands.exists(this.keys.lease(nodeId))) === 1;
  }

  /**
   * Resolves when Redis answers a PING within `timeoutMs`, rejects otherwise (readiness probes). The
   * clients queue commands while disconnected: the timeout, not the queue, decides.
   */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.commands.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fire and forget, in order with every other message of this node. */
  publish(nodeId: string, message: string): void {
    this.publisher.publish(this.channelOf(nodeId), message).catch((error: Error) => this.reportError('publish', error));
  }

  /** Receives every message sent to this node. */
  listen(listener: (message: ClusterMessage) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Takes this node's lease at boot. A lease still held by another incarnation is either this node's
   * previous run (crashed: nothing renews the lease) or another process with the same node id (a
   * configuration error, refused). Nobody subscribed to this node's channel: the previous run is gone
   * (Redis dropped its connections), take over at once. Otherwise (its host may be unreachable with
   * its connections not yet timed out) watch the lease for one renewal period to tell.
   */
  private async claimLease(): Promise<void> {
    const lease = this.keys.lease(this.nodeId);
    const before = await this.commands.pttl(lease);
    if (before > 0) {
      const [, subscribers] = (await this.commands.pubsub('NUMSUB', this.channelOf(this.nodeId))) as [string, number];
      if (Number(subscribers) > 0) {
        const waitMs = this.renewIntervalMs + 500;
        this.logger.warn(`node ${this.nodeId} still has a lease and a subscriber; checking for ${waitMs} ms whether it is alive`);
        await sleep(waitMs);
        const after = await this.commands.pttl(lease);
        if (after > before - waitMs + 250) {
          throw new Error(`node id ${this.nodeId} is in use by another running node: give each node a distinct NODE_ID`);
        }
      }
      this.logger.warn(`taking over the lease of node ${this.nodeId} from its previous run`);
    }
    await this.commands.set(lease, this.incarnation, 'PX', this.leaseMs);
    await this.commands.sadd(this.keys.nodes, this.nodeId);
  }

  /** Called when this node finds its lease had expired while it ran (cut off from Redis, or stalled). */
  onLeaseRecovered(listener: () => void): void {
    this.leaseListeners.push(listener);
  }

  /** One renewal (every third of the lease); public for tests. */
  renewLease(): Promise<void> {
    return this.commands
      .sigRenewLease(this.keys.lease(this.nodeId), this.incarnation, this.leaseMs)
      .then((renewed) => {
        if (renewed === 0) {
          this.logger.error(`another process holds the lease of node ${this.nodeId}: give each node a distinct NODE_ID`);
        } else if (renewed === 2) {
          this.logger.warn(`the lease of node ${this.nodeId} had expired: other nodes may have ended its memberships`);
          for (const listener of this.leaseListeners) listener();
        }
      })
      .catch((error: Error) => this.reportError('lease renewal', error));
  }

  /** Stops renewing (shutdown; tests simulate a stalled node with it). */
  stopRenewing(): void {
    clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
  }

  /** Logs Redis failures at most once per 10 s (a Redis outage fails every command). */
  reportError(what: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.logger.error(`Redis ${what} failed: ${error.message}`);
  }

  private dispatch(raw: string): void {
    const message = parseClusterMessage(raw);
    if (!message) {
      this.logger.debug('ignored a cluster message it cannot read');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.logger.error(`cluster message handler failed: ${(error as Error).message}`, (error as Error).stack);
      }
    }
  }

  /**
   * The publisher auto-pipelines: the PUBLISHes of one turn of the event loop (an offer and its
   * candidates read from one socket, a `stop` to every peer of a closing node) go out in one write
   * instead of one system call each, in the order they were made. It sends nothing else but a PING
   * at start and QUIT at shutdown, after the lease release's round trip (every batch is out by then).
   * The `commands` connection does not: its explicit pipelines would be written ahead of commands
   * still waiting in an automatic one. `options.redis` can override either.
   */
  private client(options: ResolvedRedisSignalingOptions, role: 'commands' | 'publisher' | 'subscriber'): Redis {
    const redisOptions: RedisOptions = {
      connectionName: `signaling:${options.nodeId}:${role}`,
      enableAutoPipelining: role === 'publisher',
      ...options.redis,
    };
    const client = options.url ? new Redis(options.url, redisOptions) : new Redis(redisOptions);
    client.on('error', (error: Error) => this.reportError(`connection (${role})`, error));
    return client;
  }
}
