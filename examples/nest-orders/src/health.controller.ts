import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { TributaryHealthIndicator } from '@tributary/nestjs';
import { ORDERS_GROUP } from './order';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tributary: TributaryHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.tributary.isHealthy('tributary', { groupId: ORDERS_GROUP, maxLag: 10_000 })]);
  }
}
