import { Logger } from '@nestjs/common';
import { LeaveReason } from '../signaling/protocol/leave-reason.enum';
import { RedisClusterNode } from './redis-cluster-node.service';

/** Why a sweep ends the memberships of a node that stopped: its sockets are gone, as after a close. */
export const NODE_LOST_REASON = LeaveReason.Disconnect;

/**
 * Ends the memberships of nodes that are gone (docs/scale-out.md, "Leases and sweeps"): every node
 * whose lease lapsed, and at boot what this node's previous run left. Each removal is one atomic script,
 * guarded by the lease's absence for other nodes, so two sweeping nodes never end one membership twice;
 * each one ended is handed to `ended` (RedisRoomRegistry: mirror, the nodes concerned, the announcement
 * with NODE_LOST_REASON).
 */
export class LapsedNodeSweeper {
  private readonly logger = new Logger(LapsedNodeSweeper.name);
  private stopped = false;

  constructor(
    private readonly node: RedisClusterNode,
    /** Called with each LEAVE_SESSION_SCRIPT reply that removed a membership. */
    private readonly ended: (reply: unknown[]) => void,
  ) {}

  /** At boot, before the app listens (this node holds its lease since its init): ends what its previous run left. */
  sweepPreviousRun(): Promise<void> {
    return this.sweepNode(this.node.nodeId, false);
  }

  /** Every lease renewal period: ends the memberships of the known nodes whose lease lapsed. */
  async sweepLapsedNodes(): Promise<void> {
    const nodes = await this.node.commands.smembers(this.node.keys.nodes);
    for (const nodeId of nodes) {
      if (nodeId === this.node.nodeId || this.stopped) continue;
      if (!(await this.node.holdsLease(nodeId))) await this.sweepNode(nodeId, true);
    }
  }

  /** No sweep of another node starts after this (shutdown). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Ends every membership of `nodeId`. `guarded`: each removal is skipped if the node's lease
   * reappeared meanwhile (then the sweep stops).
   */
  private async sweepNode(nodeId: string, guarded: boolean): Promise<void> {
    const { commands, keys } = this.node;
    const sessionIds = await commands.smembers(keys.nodeSessions(nodeId));
    const lease = keys.lease(nodeId);
    let ended = 0;
    for (const sessionId of sessionIds) {
      const reply = await commands.sigLeaveSession(keys.prefix, sessionId, Date.now(), guarded ? lease : '', nodeId);
      if (reply[0] === 'alive') return;
      if (reply[0] !== 'left') continue;
      ended++;
      this.ended(reply);
    }
    if (ended > 0) {
      const whose = nodeId === this.node.nodeId ? `the previous run of this node (${nodeId})` : `node ${nodeId} (lease expired)`;
      this.logger.warn(`ended ${ended} membership(s) of ${whose}`);
    }
    if (nodeId !== this.node.nodeId) {
      await commands.sigForgetNode(keys.nodes, lease, keys.nodeSessions(nodeId), nodeId);
    }
  }
}
