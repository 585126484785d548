import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { SignalingRelay, type KickHandler, type ProbeHandler } from '../signaling/relay/signaling-relay';
import { SIGNALING_OPTIONS } from '../signaling/signaling.module-definition';
import type { ResolvedSignalingOptions } from '../signaling/signaling-options.interface';
import type { RoomMember } from '../signaling/rooms/room-member';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import type { KickOptions } from '../signaling/kick-options.interface';
import {
  connectionFrameMessage,
  controlMessage,
  memberFrameMessage,
  type ClusterControl,
  type ClusterMessage,
} from './cluster-messages';
import { RedisClusterNode } from './redis-cluster-node.service';
import { RedisRoomRegistry } from './redis-room-registry';

/** A kick or probe asked of another node, waiting for its answer: `finish` settles it once and clears its timers. */
interface PendingRequest {
  finish: (removed: boolean | undefined) => void;
}

/**
 * Delivers frames wherever the connection is: a socket of this node directly, another node's through
 * one PUBLISH to that node's channel (one publisher connection per node keeps each sender's order).
 * No Redis read on the way: the target's node comes with the member (the registry's mirror).
 * Also carries operators' kicks and the liveness probes of contested joins to the node that holds the
 * socket. Needs RedisRoomRegistry.
 */
@Injectable()
export class RedisSignalingRelay extends SignalingRelay implements OnModuleDestroy {
  private readonly logger = new Logger(RedisSignalingRelay.name);
  private readonly registry: RedisRoomRegistry;
  private readonly nodeId: string;
  private readonly pending = new Map<string, PendingRequest>();
  /** Probes asked of other nodes, by session: concurrent joins contesting one room share one request. */
  private readonly probesInFlight = new Map<string, Promise<boolean | undefined>>();
  private kickHandler: KickHandler | undefined;
  private probeHandler: ProbeHandler | undefined;
  /** Cross-node frames that arrived after their membership ended. */
  dropped = 0;

  constructor(
    private readonly node: RedisClusterNode,
    private readonly connections: ConnectionRegistry,
    registry: RoomRegistry,
    @Inject(SIGNALING_OPTIONS) private readonly options: ResolvedSignalingOptions,
  ) {
    super();
    if (!(registry instanceof RedisRoomRegistry)) {
      throw new Error('RedisSignalingRelay needs RedisRoomRegistry: pass roomRegistry: RedisRoomRegistry to SignalingModule');
    }
    this.registry = registry;
    this.nodeId = node.nodeId;
    node.listen((message) => this.onMessage(message));
  }

  deliver(connectionId: string, frame: string): boolean {
    const connection = this.connections.get(connectionId);
    if (connection) {
      connection.send(frame);
      return true;
    }
    const nodeId = this.registry.nodeOfRemotePeer(connectionId);
    if (nodeId === undefined) return false;
    this.node.publish(nodeId, connectionFrameMessage(connectionId, frame));
    return true;
  }

  override deliverTo(member: RoomMember, frame: string): boolean {
    const nodeId = member.nodeId;
    if (nodeId === undefined || nodeId === this.nodeId) {
      const connection = this.connections.get(member.connectionId);
      if (!connection) return false;
      connection.send(frame);
      return true;
    }
    this.node.publish(nodeId, memberFrameMessage(member, frame));
    return true;
  }

  override forwardKick(member: RoomMember, options: KickOptions): Promise<boolean | undefined> | undefined {
    const nodeId = member.nodeId;
    if (nodeId === undefined || nodeId === this.nodeId) return undefined;
    return this.request(nodeId, `kick of session ${member.sessionId}`, this.node.kickTimeoutMs, (id) => ({
      t: 'kick',
      id,
      from: this.nodeId,
      sid: member.sessionId,
      d: options.disconnect === true,
    }));
  }

  override handleKicks(kick: KickHandler): void {
    this.kickHandler = kick;
  }

  /**
   * The member's node probes it; no answer within the probe time plus the kick timeout counts as alive.
   * One request per session at a time, however many joins contest its room: a client sending joins
   * to a full room costs one Redis round trip per member, not one per join.
   */
  override forwardProbe(member: RoomMember): Promise<boolean | undefined> | undefined {
    const nodeId = member.nodeId;
    if (nodeId === undefined || nodeId === this.nodeId) return undefined;
    const { sessionId } = member;
    const inFlight = this.probesInFlight.get(sessionId);
    if (inFlight) return inFlight;
    const timeoutMs = this.options.livenessProbeTimeoutMs + this.node.kickTimeoutMs;
    const probe = this.request(nodeId, `liveness probe of session ${sessionId}`, timeoutMs, (id) => ({
      t: 'probe',
      id,
      from: this.nodeId,
      sid: sessionId,
    })).finally(() => this.probesInFlight.delete(sessionId));
    this.probesInFlight.set(sessionId, probe);
    return probe;
  }

  override handleProbes(probe: ProbeHandler): void {
    this.probeHandler = probe;
  }

  onModuleDestroy(): void {
    for (const pending of [...this.pending.values()]) pending.finish(false);
  }

  /**
   * Asks `nodeId` to run a kick or probe and resolves with its answer. Undefined when that node has
   * stopped (no lease now, or its lease lapses while the answer is awaited: it is checked every renewal
   * period, so a node that died a moment ago does not hold the caller for the whole timeout): the
   * caller then acts from here. False when the node holds its lease but does not answer within `timeoutMs`.
   */
  private async request(
    nodeId: string,
    what: string,
    timeoutMs: number,
    control: (id: string) => ClusterControl,
  ): Promise<boolean | undefined> {
    if (!(await this.node.holdsLease(nodeId))) return undefined;
    const id = randomUUID();
    return new Promise<boolean | undefined>((resolve) => {
      const finish = (result: boolean | undefined): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        clearInterval(watch);
        resolve(result);
      };
      const leaseLapsed = (): Promise<boolean> => this.node.holdsLease(nodeId).then((held) => !held);
      const timer = setTimeout(() => {
        leaseLapsed().then(
          (lapsed) => {
            if (!lapsed) this.logger.warn(`${what}: node ${nodeId} did not answer within ${timeoutMs} ms`);
            finish(lapsed ? undefined : false);
          },
          () => finish(false),
        );
      }, timeoutMs);
      const watch = setInterval(() => {
        leaseLapsed().then(
          (lapsed) => lapsed && finish(undefined),
          () => undefined,
        );
      }, this.node.renewIntervalMs);
      timer.unref();
      watch.unref();
      this.pending.set(id, { finish });
      this.node.publish(nodeId, controlMessage(control(id)));
    });
  }

  private onMessage(message: ClusterMessage): void {
    switch (message.kind) {
      case 'member-frame':
        return this.deliverMemberFrame(message.streamId, message.connectionId, message.sessionId, message.frame);
      case 'frame':
        this.connections.get(message.connectionId)?.send(message.frame);
        return;
      case 'control':
        return this.onControl(message.control);
    }
  }

  private deliverMemberFrame(streamId: string, connectionId: string, sessionId: string, frame: string): void {
    const target = this.registry.localTarget(streamId, connectionId, sessionId);
    if (target === 'pending') {
      this.registry.defer(sessionId, () => this.deliverMemberFrame(streamId, connectionId, sessionId, frame));
    } else if (target) {
      this.connections.get(connectionId)?.send(frame);
    } else {
      this.dropped++;
    }
  }

  private onControl(control: ClusterControl): void {
    if (control.t === 'kick') {
      const answer = (ok: boolean): void => this.node.publish(control.from, controlMessage({ t: 'kicked', id: control.id, ok }));
      if (!this.kickHandler) return answer(false);
      this.kickHandler(control.sid, { disconnect: control.d }).then(answer, (error: Error) => {
        this.logger.error(`forwarded kick of session ${control.sid} failed: ${error.message}`, error.stack);
        answer(false);
      });
    } else if (control.t === 'probe') {
      const answer = (ok: boolean): void => this.node.publish(control.from, controlMessage({ t: 'probed', id: control.id, ok }));
      if (!this.probeHandler) return answer(false);
      this.probeHandler(control.sid).then(answer, (error: Error) => {
        this.logger.error(`forwarded liveness probe of session ${control.sid} failed: ${error.message}`, error.stack);
        answer(false);
      });
    } else if (control.t === 'kicked' || control.t === 'probed') {
      this.pending.get(control.id)?.finish(control.ok);
    }
  }
}
