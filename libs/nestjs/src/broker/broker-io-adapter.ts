import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { BrokerNode, type BrokerLimits, type QuotaManager } from '@tributary/broker';
import type { Server, ServerOptions } from 'socket.io';
import { BrokerMetrics } from '../observability/broker-metrics';
import { installRequestMetrics } from '../observability/request-metrics';
import { installConnectionLimits } from './connection-limits';
import { connectionRateCheck } from './connection-rate-check';
import { brokerHosts, originCheck } from './origin-check';
import { QuotaThrottle } from './quota-throttle';
import { installTlsPrincipal } from './tls-principal';

/** Quotas and the connection rate limit; without it, neither applies. */
export interface BrokerIoSecurity {
  quotas?: QuotaManager;
  /** new connections per second per client IP (MAX_CONNECTION_CREATION_RATE) */
  maxConnectionCreationRate?: number;
}

/**
 * socket.io with the limits a log broker needs: a produce request can be far larger than
 * socket.io's 1 MB default, and compressing already-dense record batches costs CPU for
 * little gain.
 */
export class BrokerIoAdapter extends IoAdapter {
  constructor(
    private readonly app: INestApplicationContext,
    private readonly maxRequestBytes: number,
    /** origin check and per-connection backpressure; without it, the socket.io defaults */
    private readonly limits?: BrokerLimits,
    private readonly security: BrokerIoSecurity = {},
  ) {
    super(app);
  }

  /** The broker this adapter serves, when the app has one (an app may use the adapter without it). */
  private brokerNode(): BrokerNode | null {
    try {
      return this.app.get(BrokerNode, { strict: false });
    } catch {
      return null; // no broker in this app: no cluster origins to allow
    }
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const node = this.brokerNode();
    const clusterHosts = () => brokerHosts(node ? node.clusterBrokers().map((b) => b.url) : []);
    const allowRequest = connectionRateCheck(
      this.security.maxConnectionCreationRate,
      this.limits ? originCheck(this.limits.allowedOrigins, clusterHosts) : undefined,
    );
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: this.maxRequestBytes,
      perMessageDeflate: false,
      httpCompression: false,
      pingInterval: 10_000,
      pingTimeout: 20_000,
      ...(allowRequest ? { allowRequest } : {}),
    }) as Server;
    // First, so a request's time includes its wait in the connection's queue (Kafka's TotalTimeMs).
    const metrics = this.app.get(BrokerMetrics, { strict: false });
    installRequestMetrics(server, metrics);
    installTlsPrincipal(server);
    if (this.limits) {
      installConnectionLimits(server, {
        maxInFlight: this.limits.maxInFlightRequestsPerConnection,
        maxQueued: this.limits.maxQueuedRequestsPerConnection,
        sendBufferMaxBytes: this.limits.connectionSendBufferMaxBytes,
        quotas: this.security.quotas ? new QuotaThrottle(this.security.quotas) : undefined,
      });
    }
    return server;
  }
}
