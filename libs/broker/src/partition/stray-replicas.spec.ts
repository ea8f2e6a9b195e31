import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ClusterSnapshot, PartitionState, TopicTombstone } from '@tributary/coordination';
import { PartitionMetadataFile } from '@tributary/log';
import { TOPIC_CONFIG_DEFAULTS } from '@tributary/protocol';
import type { PartitionContext } from './partition-context';
import { ReplicaManager } from './replica-manager';

/**
 * The topic-id rule (KIP-516) on real directories: a broker removes partition directories no
 * replica of it serves whose topic is gone or has another id now, keeps the current ones, and
 * tells which deleted incarnations it holds nothing of.
 */
let dataDir: string;
let manager: ReplicaManager;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stray-replicas-'));
  // removeStrayReplicas opens no actor, so the context is never reached
  manager = new ReplicaManager({ brokerId: 1, dataDir, topicDefaults: TOPIC_CONFIG_DEFAULTS, flushIntervalMs: 1000 }, {} as PartitionContext);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function replicaDir(name: string, topicId: string | null): string {
  const dir = path.join(dataDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '00000000000000000000.log'), 'old records');
  if (topicId !== null) PartitionMetadataFile.write(dir, topicId);
  return dir;
}

function snapshot(topics: Record<string, string>, deleting: Array<Pick<TopicTombstone, 'name' | 'id'>> = []): ClusterSnapshot {
  return {
    clusterId: 'c',
    controllerId: 1,
    brokers: [],
    brokerEpochs: new Map(),
    topics: new Map(
      Object.entries(topics).map(([name, id]) => [
        name,
        { topic: { name, id, partitionCount: 1, replicationFactor: 1, configs: {}, createdAt: 0 }, partitions: [] as PartitionState[] },
      ]),
    ),
    deletingTopics: deleting.map((t) => ({ ...t, partitionCount: 1, deletedAt: 0, jobId: `deleteTopic-${t.id}` })),
  };
}

describe('ReplicaManager.removeStrayReplicas', () => {
  it('removes directories of deleted or re-created topics, keeps the current ones, and acknowledges deletions it holds nothing of', () => {
    const recreated = replicaDir('orders-0', 'old-orders');
    const deleted = replicaDir('audit-2', 'old-audit');
    const current = replicaDir('billing-0', 'billing-id');
    const unstamped = replicaDir('billing-1', null); // written before topic ids: adopted when opened
    const dashed = replicaDir('my-topic-3', 'my-topic-id');
    fs.writeFileSync(path.join(dataDir, '.lock'), 'not a partition');

    const acks = manager.removeStrayReplicas(
      snapshot({ orders: 'new-orders', billing: 'billing-id', 'my-topic': 'my-topic-id' }, [{ name: 'audit', id: 'old-audit' }]),
    );

    expect(fs.existsSync(recreated)).toBe(false);
    expect(fs.existsSync(deleted)).toBe(false);
    expect(fs.existsSync(current)).toBe(true);
    expect(fs.existsSync(unstamped)).toBe(true);
    expect(fs.existsSync(dashed)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(true);
    expect(acks).toEqual(['old-audit']);
  });

  it('keeps everything when the cluster has no topic at all (a wrong CLUSTER_ID or an emptied Redis, not a deletion)', () => {
    const dir = replicaDir('orders-0', 'orders-id');
    expect(manager.removeStrayReplicas(snapshot({}))).toEqual([]);
    expect(fs.existsSync(dir)).toBe(true);
    // with a deletion under way the cluster is not empty: the deleted topic's directory goes
    expect(manager.removeStrayReplicas(snapshot({}, [{ name: 'orders', id: 'orders-id' }]))).toEqual(['orders-id']);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('PartitionMetadataFile', () => {
  it("writes Kafka's format and reads the id back; a missing directory or file reads as null, a malformed file throws", () => {
    const dir = path.join(dataDir, 't-0');
    expect(PartitionMetadataFile.read(dir)).toBeNull();
    PartitionMetadataFile.write(dir, 'abc-123');
    expect(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8')).toBe('version: 0\ntopic_id: abc-123\n');
    expect(PartitionMetadataFile.read(dir)).toBe('abc-123');
    fs.writeFileSync(path.join(dir, 'partition.metadata'), 'garbage');
    expect(() => PartitionMetadataFile.read(dir)).toThrow(/malformed/);
  });
});
