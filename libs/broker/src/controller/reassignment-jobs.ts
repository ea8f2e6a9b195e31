import { z } from 'zod';
import type { PartitionState, ReassignmentStore } from '@tributary/coordination';
import { TributaryError } from '@tributary/protocol';
import type { JobDefinition, StepContext } from '../jobs/job-definition';
import { isReassigning, targetReplicas } from './reassignment-plan';

export const REASSIGN_PARTITIONS_JOB = 'reassignPartitions';
export const DECOMMISSION_BROKER_JOB = 'decommissionBroker';
export const REBALANCE_LEADERS_JOB = 'rebalanceLeaders';

const WAIT_POLL_MS = 250;

/** What the controller lends: its epoch while it holds the lease, else 0. */
export type ControllerEpochSource = () => number;

/** Queues an admin job (the broker's JobRunner); resolves with its id. */
export type SubmitJob = (type: string, args: unknown) => Promise<string>;

const move = z.object({ topic: z.string().min(1), partition: z.number().int().min(0), to: z.array(z.number().int().min(0)).min(1) });
const reassignArgs = z.object({ moves: z.array(move).min(1) });
const decommissionArgs = z.object({ brokerId: z.number().int().min(0), moves: z.array(move) });

export type PartitionMove = z.infer<typeof move>;
export type ReassignArgs = z.infer<typeof reassignArgs>;
export type DecommissionArgs = z.infer<typeof decommissionArgs>;

function parse<T>(schema: z.ZodType<T>, type: string, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw TributaryError.of('INVALID_REQUEST', `${type} job: ${r.error.issues[0]?.message ?? 'bad arguments'}`);
  return r.data;
}

export interface ReassignmentJobDeps {
  store: ReassignmentStore;
  controllerEpoch: ControllerEpochSource;
  /** runs the preferred leader elections of the imbalance rule; how many moved */
  rebalanceLeaders(): Promise<number>;
}

/**
 * The admin jobs (BullMQ, see ../jobs) for reassignment, decommission and leader rebalancing.
 * Their steps only start reassignments and wait for them: the controller's pass
 * (ReassignmentDriver) moves every partition on from its state in Redis, so a job resumed by
 * the next controller finds each partition where the last one left it.
 */
export function registerReassignmentJobs(runner: { register<A>(definition: JobDefinition<A>): void }, deps: ReassignmentJobDeps): void {
  const begin = { name: 'begin', run: (args: { moves: PartitionMove[] }) => beginMoves(deps, args.moves) };
  const wait = { name: 'move-replicas', run: (args: { moves: PartitionMove[] }, ctx: StepContext) => waitForMoves(deps, args.moves, ctx) };
  const reassign: JobDefinition<ReassignArgs> = {
    type: REASSIGN_PARTITIONS_JOB,
    parseArgs: (raw) => parse(reassignArgs, REASSIGN_PARTITIONS_JOB, raw),
    steps: [begin, wait],
  };
  const decommission: JobDefinition<DecommissionArgs> = {
    type: DECOMMISSION_BROKER_JOB,
    parseArgs: (raw) => parse(decommissionArgs, DECOMMISSION_BROKER_JOB, raw),
    steps: [
      begin,
      wait,
      {
        name: 'verify',
        run: async (args, ctx) => {
          const snapshot = await deps.store.snapshot();
          const left = [...snapshot.topics.values()].flatMap((t) => t.partitions).filter((p) => p.replicas.includes(args.brokerId));
          if (left.length > 0) {
            // another reassignment put a replica back on it meanwhile: the retry plans nothing new, so say so
            throw new Error(`broker ${args.brokerId} still holds ${left.map((p) => `${p.topic}-${p.partition}`).join(', ')}`);
          }
          await ctx.report(`broker ${args.brokerId} holds no replica: it can be stopped`);
        },
      },
    ],
  };
  const rebalance: JobDefinition<object> = {
    type: REBALANCE_LEADERS_JOB,
    parseArgs: () => ({}),
    steps: [
      {
        name: 'elect-preferred-leaders',
        run: async (_args, ctx) => {
          const moved = await deps.rebalanceLeaders();
          await ctx.report(`${moved} partition(s) moved to their preferred leader`);
        },
      },
    ],
  };
  runner.register(reassign);
  runner.register(decommission);
  runner.register(rebalance);
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function activeEpoch(deps: ReassignmentJobDeps): number {
  const epoch = deps.controllerEpoch();
  if (epoch <= 0) throw TributaryError.of('NOT_CONTROLLER', 'this broker is not the controller');
  return epoch;
}

/** Idempotent: a partition already at its target, or already moving to it, is left alone. */
async function beginMoves(deps: ReassignmentJobDeps, moves: PartitionMove[]): Promise<void> {
  const epoch = activeEpoch(deps);
  for (const m of moves) {
    const state = await deps.store.partitionState(m.topic, m.partition);
    if (!state) continue; // deleted meanwhile: nothing to move
    if (sameList(targetReplicas(state), m.to)) continue;
    const outcome = await deps.store.beginReassignment(m.topic, m.partition, m.to, epoch);
    if (outcome === 'stale-controller') throw TributaryError.of('NOT_CONTROLLER', 'this broker lost the controller lease');
  }
}

/** Waits until no partition of the job is in reassignment, reporting how many are done. */
async function waitForMoves(deps: ReassignmentJobDeps, moves: PartitionMove[], ctx: StepContext): Promise<void> {
  let reported = -1;
  for (;;) {
    if (ctx.signal.aborted) throw new Error('the job worker stopped; the next controller resumes the job');
    const states = await Promise.all(moves.map((m) => deps.store.partitionState(m.topic, m.partition)));
    const pending = states.filter((s): s is PartitionState => s !== null && isReassigning(s));
    const done = moves.length - pending.length;
    if (done !== reported) {
      reported = done;
      await ctx.report(`${done}/${moves.length} partition(s) moved${pending.length > 0 ? `; waiting for ${describe(pending.slice(0, 3))}` : ''}`);
    }
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}

function describe(states: PartitionState[]): string {
  return states.map((s) => `${s.topic}-${s.partition} (adding ${(s.addingReplicas ?? []).join(',') || '-'}, ISR ${s.isr.join(',')})`).join(', ');
}
