import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { BrokerLimits } from '@tributary/broker';
import type { Server, ServerOptions } from 'socket.io';
import { BrokerMetrics } from '../observability/broker-metrics';
import { installRequestMetrics } from '../observability/request-metrics';
import { installConnectionLimits } from './connection-limits';
import { originCheck } from './origin-check';

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
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: this.maxRequestBytes,
      perMessageDeflate: false,
      httpCompression: false,
      pingInterval: 10_000,
      pingTimeout: 20_000,
      ...(this.limits ? { allowRequest: originCheck(this.limits.allowedOrigins) } : {}),
    }) as Server;
    // First, so a request's time includes its wait in the connection's queue (Kafka's TotalTimeMs).
    const metrics = this.app.get(BrokerMetrics, { strict: false });
    installRequestMetrics(server, metrics);
    if (this.limits) {
      installConnectionLimits(server, {
        maxInFlight: this.limits.maxInFlightRequestsPerConnection,
        maxQueued: this.limits.maxQueuedRequestsPerConnection,
        sendBufferMaxBytes: this.limits.connectionSendBufferMaxBytes,
      });
    }
    return server;
  }
}
