import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Admin } from '@tributary/client';
import { InjectAdmin } from '@tributary/nestjs';
import { ORDERS_GET, ORDERS_TOPIC } from './order';

/** Creates the example's topics when they are missing (auto-create is off on brokers by default). */
@Injectable()
export class Topics implements OnModuleInit {
  constructor(@InjectAdmin() private readonly admin: Admin) {}

  async onModuleInit(): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const brokers = (await this.admin.describeCluster()).brokers.length;
    const topics = [
      { topic: ORDERS_TOPIC, numPartitions: 4, replicationFactor: Math.min(3, brokers) },
      { topic: ORDERS_GET, numPartitions: 2, replicationFactor: Math.min(3, brokers) },
    ].filter((t) => !existing.has(t.topic));
    if (topics.length > 0) await this.admin.createTopics({ topics });
  }
}
