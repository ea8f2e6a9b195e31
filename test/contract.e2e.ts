import { brokerContract } from './contract/broker-contract';
import { TestCluster } from './support/test-cluster';

describe('a real broker keeps the broker contract', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  brokerContract(() => ({ url: cluster.brokers[0].url, brokerId: cluster.brokers[0].id }));
});
