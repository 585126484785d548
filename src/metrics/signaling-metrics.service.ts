import { Inject, Injectable, OnModuleDestroy, OnModuleInit, type InjectionToken } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { HISTORY_STATS, type HistoryStatsSource } from '../persistence/history-tokens';
import { ConnectionRegistry } from '../signaling/connections/connection-registry.service';
import { SignalingEventType, type SignalingEvent } from '../signaling/events/signaling-event';
import { SignalingEvents } from '../signaling/events/signaling-events.service';
import { ErrorDefinition } from '../signaling/protocol/error-definition.enum';
import { LeaveReason } from '../signaling/protocol/leave-reason.enum';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { SignalingStats } from '../signaling/signaling-stats.service';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { METRICS_OPTIONS, type ResolvedMetricsOptions } from './metrics-options.interface';
import { RelayLatencyHistogram } from './relay-latency-histogram';

/**
 * The Prometheus metrics of this node, in a registry of its own (never prom-client's global one, so
 * two apps in one process do not clash). Gauges and the counters kept elsewhere (SignalingStats,
 * HistoryWriter, WebhookDispatcher) are read at scrape time; joins, leaves and calls are counted
 * from the lifecycle events; the relay latency histogram is fed through SignalingStats'
 * observer hook. History and webhook metrics exist when those modules are in the app.
 */
@Injectable()
export class SignalingMetrics implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private unsubscribe: (() => void) | undefined;
  private observer: ((seconds: number) => void) | undefined;

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly rooms: RoomRegistry,
    private readonly stats: SignalingStats,
    private readonly events: SignalingEvents,
    private readonly moduleRef: ModuleRef,
    @Inject(METRICS_OPTIONS) private readonly options: ResolvedMetricsOptions,
  ) {}

  onModuleInit(): void {
    if (this.options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.signalingMetrics();
    const history = this.find<HistoryStatsSource>(HISTORY_STATS);
    if (history) this.historyMetrics(history);
    const webhooks = this.find(WebhookDispatcher);
    if (webhooks) this.webhookMetrics(webhooks);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    if (this.stats.relayLatencyObserver === this.observer) this.stats.relayLatencyObserver = undefined;
  }

  /** The text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private signalingMetrics(): void {
    const registers = [this.registry];
    const { connections, rooms, stats } = this;
    new Gauge({
      name: 'signaling_connections',
      help: 'WebSocket connections open on this node.',
      registers,
      collect() {
        this.set(connections.size);
      },
    });
    new Gauge({
      name: 'signaling_active_rooms',
      help: 'Rooms with at least one peer.',
      registers,
      async collect() {
        this.set((await rooms.listRooms()).length);
      },
    });
    new Gauge({
      name: 'signaling_active_peers',
      help: 'Peers in rooms (memberships).',
      registers,
      async collect() {
        this.set((await rooms.listRooms()).reduce((sum, room) => sum + room.members.length, 0));
      },
    });

    const joins = new Counter({ name: 'signaling_peer_joins_total', help: 'Peers that joined a room.', registers });
    const leaves = new Counter({
      name: 'signaling_peer_leaves_total',
      help: `Peers that left a room, by reason (${Object.values(LeaveReason).join(', ')}).`,
      labelNames: ['reason'],
      registers,
    });
    const calls = new Counter({
      name: 'signaling_calls_started_total',
      help: 'Second peers that joined a waiting peer (start sent).',
      registers,
    });
    for (const reason of Object.values(LeaveReason)) leaves.inc({ reason }, 0);
    this.unsubscribe = this.events.subscribe((event: SignalingEvent) => {
      if (event.type === SignalingEventType.PeerJoined) joins.inc();
      else if (event.type === SignalingEventType.PeerLeft) leaves.inc({ reason: event.reason });
      else if (event.type === SignalingEventType.CallStarted) calls.inc();
    });

    new Counter({
      name: 'signaling_relayed_messages_total',
      help: 'Frames relayed to the other peer, by command.',
      labelNames: ['command'],
      registers,
      collect() {
        this.reset();
        for (const [command, count] of Object.entries(stats.relayed)) this.inc({ command }, count);
      },
    });
    new Counter({
      name: 'signaling_error_frames_total',
      help: 'Error frames sent to clients, by definition.',
      labelNames: ['definition'],
      registers,
      collect() {
        this.reset();
        for (const definition of Object.values(ErrorDefinition)) this.inc({ definition }, stats.errors.get(definition) ?? 0);
      },
    });
    new Counter({
      name: 'signaling_connections_closed_total',
      help:
        'Connections of this node that ended, by reason: disconnect (the client closed), timeout (no answer to the heartbeat or a ' +
        'liveness probe), slow_consumer (send buffer over limits.maxBufferedBytes), rate_limited, kicked, shutdown.',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const reason of Object.values(LeaveReason)) {
          if (reason !== LeaveReason.Leave && reason !== LeaveReason.Rejoin) this.inc({ reason }, stats.closedConnections.get(reason) ?? 0);
        }
      },
    });
    new Counter({
      name: 'signaling_unknown_commands_total',
      help: 'Well-formed frames with a command the server does not serve (ignored).',
      registers,
      collect() {
        this.reset();
        this.inc(stats.unknownCommands);
      },
    });
    const latency = new RelayLatencyHistogram(
      'signaling_relay_latency_seconds',
      'Time from a relayed frame’s handler start to its hand-off to the recipient’s socket or relay.',
      this.options.relayLatencyBuckets,
    ).registerIn(this.registry);
    this.observer = latency.observe;
    this.stats.relayLatencyObserver = this.observer;
  }

  private historyMetrics(history: HistoryStatsSource): void {
    const registers = [this.registry];
    new Gauge({
      name: 'signaling_history_queue_depth',
      help: 'History rows and counter updates waiting to be written.',
      registers,
      collect() {
        this.set(history.queueDepth);
      },
    });
    counterOf(this.registry, 'signaling_history_rows_written_total', 'History rows written.', () => history.stats.rowsWritten);
    counterOf(
      this.registry,
      'signaling_history_failed_flushes_total',
      'History batches the database refused (retried with backoff).',
      () => history.stats.failedFlushes,
    );
    counterOf(
      this.registry,
      'signaling_history_dropped_rows_total',
      'History updates dropped because the queue was full.',
      () => history.stats.droppedRows,
    );
  }

  private webhookMetrics(webhooks: WebhookDispatcher): void {
    const registers = [this.registry];
    new Gauge({
      name: 'signaling_webhook_queue_depth',
      help: 'Webhook deliveries waiting for a free slot or for their next attempt.',
      registers,
      collect() {
        this.set(webhooks.queueDepth);
      },
    });
    new Gauge({
      name: 'signaling_webhook_in_flight',
      help: 'Webhook requests in flight.',
      registers,
      collect() {
        this.set(webhooks.inFlightCount);
      },
    });
    new Counter({
      name: 'signaling_webhook_deliveries_total',
      help: 'Webhook deliveries (one event to one receiver) by outcome: delivered (2xx) or failed (given up).',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'delivered' }, webhooks.stats.delivered);
        this.inc({ outcome: 'failed' }, webhooks.stats.failed);
      },
    });
    counterOf(
      this.registry,
      'signaling_webhook_retries_total',
      'Webhook attempts that failed (network error, timeout, 5xx) and were retried.',
      () => webhooks.stats.retried,
    );
    counterOf(
      this.registry,
      'signaling_webhook_dropped_total',
      'Webhook deliveries dropped: queue full, or still queued at the end of shutdown.',
      () => webhooks.stats.dropped,
    );
  }

  /** A provider of another module, if the app has it. */
  private find<T>(type: InjectionToken<T>): T | undefined {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/** A counter whose value is read from elsewhere at scrape time. */
function counterOf(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
