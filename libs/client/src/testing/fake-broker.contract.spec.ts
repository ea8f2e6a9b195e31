import { brokerContract } from '../../../../test/contract/broker-contract';
import { FakeCluster } from './fake-broker';

describe('the fake broker keeps the broker contract', () => {
  let cluster: FakeCluster;

  beforeAll(async () => {
    cluster = await FakeCluster.start(1);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  brokerContract(() => ({ url: cluster.urls[0], brokerId: cluster.brokers[0].id }));
});
