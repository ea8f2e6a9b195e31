import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io with the limits a log broker needs: a produce request can be far larger than
 * socket.io's 1 MB default, and compressing already-dense record batches costs CPU for
 * little gain.
 */
export class BrokerIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly maxRequestBytes: number,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: this.maxRequestBytes,
      perMessageDeflate: false,
      httpCompression: false,
      pingInterval: 10_000,
      pingTimeout: 20_000,
    } as ServerOptions);
  }
}
