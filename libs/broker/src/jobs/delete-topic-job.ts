import type { BrokerRegistry, GroupStore, TopicDeletionStore } from '@tributary/coordination';
import { TributaryError } from '@tributary/protocol';
import type { JobDefinition, StepContext } from './job-definition';

export const DELETE_TOPIC_JOB = 'deleteTopic';

export interface DeleteTopicArgs {
  topic: string;
  topicId: string;
  partitionCount: number;
}

export interface DeleteTopicJobDeps {
  store: TopicDeletionStore & Pick<BrokerRegistry, 'liveBrokers'>;
  groups: Pick<GroupStore, 'deleteTopicOffsets'>;
  /** how often the first step looks for the brokers' acknowledgements */
  pollMs: number;
  /** a live broker that has not removed its replicas by then fails the attempt (retried with backoff) */
  ackTimeoutMs: number;
}

/**
 * Deleting a topic after step 1 (the controller's Lua script: out of metadata, tombstone
 * recorded). Every step is idempotent and keyed by the incarnation's id, so a successor
 * controller can run any of them again:
 * 1. wait until every live broker acknowledged that it holds no replica of this incarnation
 *    (each removes its own directories on seeing the tombstone; a broker down now removes
 *    them when it returns, by the topic-id rule);
 * 2. delete the partitions' replication streams and leader leases (only now: no leader of
 *    the old incarnation writes them any more);
 * 3. delete every group's committed offsets for its partitions;
 * 4. clear the tombstone: the name may be created again, with a new id.
 */
export function deleteTopicJob(deps: DeleteTopicJobDeps): JobDefinition<DeleteTopicArgs> {
  return {
    type: DELETE_TOPIC_JOB,
    parseArgs: parseDeleteTopicArgs,
    steps: [
      { name: 'remove-replicas', run: (args, ctx) => awaitReplicasRemoved(deps, args, ctx) },
      {
        name: 'delete-streams-and-leases',
        run: async (args, ctx) => {
          const n = await deps.store.deleteTopicStreamsAndLeases(args.topic, args.partitionCount);
          await ctx.report(`${n} stream/lease key(s) deleted`);
        },
      },
      {
        name: 'delete-group-offsets',
        run: async (args, ctx) => {
          const n = await deps.groups.deleteTopicOffsets(args.topic, args.partitionCount);
          await ctx.report(`${n} committed offset(s) deleted`);
        },
      },
      { name: 'clear-tombstone', run: async (args) => void (await deps.store.clearTopicTombstone(args.topic, args.topicId)) },
    ],
  };
}

async function awaitReplicasRemoved(deps: DeleteTopicJobDeps, args: DeleteTopicArgs, ctx: StepContext): Promise<void> {
  const deadline = Date.now() + deps.ackTimeoutMs;
  let reported = '';
  for (;;) {
    const [live, acks, tombstones] = await Promise.all([deps.store.liveBrokers(), deps.store.topicDeletionAcks(args.topicId), deps.store.topicTombstones()]);
    // cleared already: an earlier attempt finished the job
    if (!tombstones.some((t) => t.id === args.topicId)) return;
    const missing = live.map((b) => b.id).filter((id) => !acks.includes(id));
    if (missing.length === 0) return;
    const message = `waiting for broker(s) ${missing.join(', ')} to remove their replicas`;
    if (message !== reported) await ctx.report(message);
    reported = message;
    if (Date.now() > deadline)
      throw new Error(`broker(s) ${missing.join(', ')} did not remove their replicas of '${args.topic}' within ${deps.ackTimeoutMs} ms`);
    if (ctx.signal.aborted) throw new Error('stopped: this broker no longer runs jobs');
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs));
  }
}

function parseDeleteTopicArgs(raw: unknown): DeleteTopicArgs {
  const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof DeleteTopicArgs, unknown>>;
  if (
    typeof a.topic !== 'string' ||
    typeof a.topicId !== 'string' ||
    typeof a.partitionCount !== 'number' ||
    !Number.isInteger(a.partitionCount) ||
    a.partitionCount < 0
  ) {
    throw TributaryError.of('INVALID_REQUEST', `deleteTopic job arguments must be {topic, topicId, partitionCount}, got ${JSON.stringify(raw)}`);
  }
  return { topic: a.topic, topicId: a.topicId, partitionCount: a.partitionCount };
}
