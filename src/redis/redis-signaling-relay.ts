import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { SignalingRelay, type KickHandler } from '../signaling/relay/signaling-relay';
import type { RoomMember } from '../signaling/rooms/room-member';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import type { KickOptions } from '../signaling/signaling.service';
import {
  connectionFrameMessage,
  controlMessage,
  memberFrameMessage,
  type ClusterControl,
  type ClusterMessage,
} from './cluster-messages';
import { RedisClusterNode } from './redis-cluster-node.service';
import { RedisRoomRegistry } from './redis-room-registry';

interface PendingKick {
  resolve: (removed: boolean | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * Delivers frames wherever the connection is: a socket of this node directly, another node's through
 * one PUBLISH to that node's channel (one publisher connection per node keeps each sender's order).
 * No Redis read on the way: the target's node comes with the member (the registry's mirror).
 * Also carries operators' kicks to the node that holds the socket. Needs RedisRoomRegistry.
 */
@Injectable()
export class RedisSignalingRelay extends SignalingRelay implements OnModuleDestroy {
  private readonly logger = new Logger(RedisSignalingRelay.name);
  private readonly registry: RedisRoomRegistry;
  private readonly nodeId: string;
  private readonly pendingKicks = new Map<string, PendingKick>();
  private kickHandler: KickHandler | undefined;
  /** Cross-node frames that arrived after their membership ended. */
  dropped = 0;

  constructor(
    private readonly node: RedisClusterNode,
    private readonly connections: ConnectionRegistry,
    registry: RoomRegistry,
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
    return this.requestKick(nodeId, member.sessionId, options);
  }

  override handleKicks(kick: KickHandler): void {
    this.kickHandler = kick;
  }

  onModuleDestroy(): void {
    for (const [id, pending] of this.pendingKicks) {
      clearTimeout(pending.timer);
      pending.resolve(false);
      this.pendingKicks.delete(id);
    }
  }

  private async requestKick(nodeId: string, sessionId: string, options: KickOptions): Promise<boolean | undefined> {
    // A node without a lease has stopped: its socket is gone, the kick removes the membership from here.
    if ((await this.node.commands.exists(this.node.key(`lease:${nodeId}`))) === 0) return undefined;
    const id = randomUUID();
    return new Promise<boolean | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pendingKicks.delete(id);
        // No answer: if the node has stopped meanwhile (its lease expired), the kick is run from here.
        this.node.commands.exists(this.node.key(`lease:${nodeId}`)).then(
          (alive) => {
            if (alive === 0) return resolve(undefined);
            this.logger.warn(`kick of session ${sessionId}: node ${nodeId} did not answer within ${this.node.kickTimeoutMs} ms`);
            resolve(false);
          },
          () => resolve(false),
        );
      }, this.node.kickTimeoutMs);
      timer.unref();
      this.pendingKicks.set(id, { resolve, timer });
      this.node.publish(nodeId, controlMessage({ t: 'kick', id, from: this.nodeId, sid: sessionId, d: options.disconnect === true }));
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
    } else if (control.t === 'kicked') {
      const pending = this.pendingKicks.get(control.id);
      if (!pending) return;
      this.pendingKicks.delete(control.id);
      clearTimeout(pending.timer);
      pending.resolve(control.ok);
    }
  }
}
