import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { BrokerNode } from '@tributary/broker';
import { BrokerMetrics } from './broker-metrics';

/** What an HTTP response needs here: the controller answers through it to pick the status. */
interface StatusResponse {
  status(code: number): StatusResponse;
  type(contentType: string): StatusResponse;
  send(body: string): void;
}

/**
 * The broker's operations endpoints on its HTTP port: Prometheus `/metrics`, and the probes
 * Kubernetes and compose health checks call. Live means the process answers; ready means the
 * broker should get traffic (registered, Redis current, every assigned replica loaded).
 */
@Controller()
export class ObservabilityController {
  constructor(
    @Inject(BrokerNode) private readonly node: BrokerNode,
    @Inject(BrokerMetrics) private readonly metrics: BrokerMetrics,
  ) {}

  @Get('health/live')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok'; brokerId: number } {
    return { status: 'ok', brokerId: this.node.config.brokerId };
  }

  @Get('health/ready')
  @Header('Cache-Control', 'no-store')
  ready(@Res() res: StatusResponse): void {
    const r = this.node.readiness();
    res
      .status(r.ready ? 200 : 503)
      .type('application/json')
      .send(JSON.stringify({ status: r.ready ? 'ready' : 'not ready', brokerId: this.node.config.brokerId, reasons: r.reasons }));
  }

  @Get('metrics')
  // the web console (served by any broker) reads every broker's log sizes from here
  @Header('Access-Control-Allow-Origin', '*')
  async scrape(@Res() res: StatusResponse): Promise<void> {
    const body = await this.metrics.metrics();
    res.status(200).type(this.metrics.contentType).send(body);
  }
}
