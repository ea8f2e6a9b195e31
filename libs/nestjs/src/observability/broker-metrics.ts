import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerCounters, BrokerObservation, GroupPartitionLag, ReplicaObservation } from '@tributary/broker';

/** What the metrics read from a broker when scraped (a BrokerNode is one). */
export interface MetricsSource {
  readonly config: { readonly brokerId: number };
  readonly counters: BrokerCounters;
  observe(): BrokerObservation;
  groupLags(): Promise<GroupPartitionLag[]>;
}

/**
 * The broker's Prometheus metrics, named as Prometheus's JMX exporter names Kafka's MBeans
 * (`kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec` becomes
 * `…_server_brokertopicmetrics_messages_in_total`) with `tributary_` for `kafka_`, so Kafka
 * dashboards and alerts translate by a prefix. Counters and gauges are read from the broker
 * node when scraped; only request timings and connections are recorded as they happen.
 */
export class BrokerMetrics {
  readonly registry = new Registry();
  /** Kafka's RequestMetrics TotalTimeMs, per request type and error code; its _count is the request rate */
  readonly requestSeconds: Histogram<'request' | 'error'>;
  readonly connections: Gauge;

  constructor(node: MetricsSource) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ broker: String(node.config.brokerId) });
    // Event-loop lag, GC, heap, CPU, file descriptors: prom-client's standard process metrics.
    collectDefaultMetrics({ register: this.registry });
    this.requestSeconds = new Histogram({
      name: 'tributary_network_requestmetrics_total_time_seconds',
      help: 'Time from a request arriving to its answer being sent, by request type and error code (Kafka RequestMetrics TotalTimeMs)',
      labelNames: ['request', 'error'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.connections = new Gauge({
      name: 'tributary_server_socketservermetrics_connection_count',
      help: 'Open client and broker connections (Kafka SocketServerMetrics connection-count)',
      registers,
    });
    const counters = node.counters;
    const perTopic = (name: string, help: string, pick: (t: { messagesIn: number; bytesIn: number; bytesOut: number }) => number): void => {
      new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers,
        // The broker keeps the totals; each scrape copies them (reset, then the absolute value).
        collect() {
          this.reset();
          for (const [topic, t] of counters.topics()) this.labels(topic).inc(pick(t));
        },
      });
    };
    perTopic(
      'tributary_server_brokertopicmetrics_messages_in_total',
      'Records appended by this broker as leader, per topic (Kafka MessagesInPerSec)',
      (t) => t.messagesIn,
    );
    perTopic('tributary_server_brokertopicmetrics_bytes_in_total', 'Record batch bytes appended as leader, per topic (Kafka BytesInPerSec)', (t) => t.bytesIn);
    perTopic('tributary_server_brokertopicmetrics_bytes_out_total', 'Record bytes served to consumers, per topic (Kafka BytesOutPerSec)', (t) => t.bytesOut);
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    total('tributary_server_replicamanager_isr_shrinks_total', 'ISR shrinks this broker wrote as leader (Kafka IsrShrinksPerSec)', () => counters.isrShrinks);
    total(
      'tributary_server_replicamanager_isr_expands_total',
      'ISR expansions this broker wrote as leader (Kafka IsrExpandsPerSec)',
      () => counters.isrExpands,
    );
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge(
      'tributary_server_replicamanager_under_replicated_partitions',
      'Partitions this broker leads whose ISR is smaller than their replica set (Kafka UnderReplicatedPartitions)',
      () => node.observe().replicas.filter((r) => r.isLeader && r.isr < r.replicas).length,
    );
    gauge(
      'tributary_server_replicamanager_leader_count',
      'Partitions this broker leads (Kafka LeaderCount)',
      () => node.observe().replicas.filter((r) => r.isLeader).length,
    );
    gauge('tributary_server_replicamanager_partition_count', 'Replicas this broker holds (Kafka PartitionCount)', () => node.observe().replicas.length);
    gauge(
      'tributary_server_replicamanager_offline_replicas',
      'Replicas on this broker whose log failed (Kafka OfflineReplicaCount)',
      () => node.observe().offlineReplicas,
    );
    gauge(
      'tributary_controller_kafkacontroller_offline_partitions_count',
      'Partitions without a live leader, reported by the active controller, 0 elsewhere (Kafka OfflinePartitionsCount)',
      () => node.observe().offlinePartitions,
    );
    gauge('tributary_controller_kafkacontroller_active_controller_count', '1 on the active controller, else 0 (Kafka ActiveControllerCount)', () =>
      node.observe().isController ? 1 : 0,
    );
    gauge('tributary_coordination_redis_round_trip_seconds', "The last probe's round trip to the coordination Redis", () => {
      const ms = node.observe().redisRoundTripMs;
      return Number.isFinite(ms) ? ms / 1000 : -1;
    });
    const perPartition = (name: string, help: string, read: (r: ReplicaObservation) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition'],
        registers,
        collect() {
          this.reset();
          for (const r of node.observe().replicas) this.labels(r.topic, String(r.partition)).set(read(r));
        },
      });
    };
    perPartition('tributary_log_log_size_bytes', 'Bytes of this replica\u2019s log on disk (Kafka Log Size)', (r) => r.sizeBytes);
    perPartition('tributary_log_log_end_offset', 'Offset the next record will get in this replica (Kafka Log LogEndOffset)', (r) => r.logEndOffset);
    perPartition('tributary_log_log_start_offset', 'First offset still in this replica (Kafka Log LogStartOffset)', (r) => r.logStartOffset);
    perPartition('tributary_cluster_partition_high_watermark', 'High watermark this replica knows', (r) => r.highWatermark);
    new Gauge({
      name: 'tributary_server_fetcherlagmetrics_consumer_lag',
      help: "Each follower's lag in records behind its leader's log end, reported by the leader (Kafka FetcherLagMetrics ConsumerLag)",
      labelNames: ['topic', 'partition', 'replica'],
      registers,
      collect() {
        this.reset();
        for (const r of node.observe().replicas)
          for (const [replica, lag] of r.followerLags) if (lag >= 0) this.labels(r.topic, String(r.partition), String(replica)).set(lag);
      },
    });
    new Gauge({
      name: 'tributary_consumergroup_lag',
      help: "A group's lag on a partition: high watermark minus committed offset, reported by the partition's leader (kafka_exporter's kafka_consumergroup_lag)",
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const l of await node.groupLags()) this.labels(l.group, l.topic, String(l.partition)).set(l.lag);
      },
    });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
