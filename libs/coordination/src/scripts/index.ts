import { acquireController, releaseController } from './controller-lease';
import { createTopic } from './create-topic';
import { claimLeadership, renewLeaderLease, updateIsr } from './partition-leadership';
import { claimBrokerId, releaseBrokerId, renewBrokerId } from './broker-identity';
import { liveBrokers } from './register-broker';
import type { LuaScript } from './script';

export type { LuaScript } from './script';

export const SCRIPTS: readonly LuaScript[] = [
  claimBrokerId,
  renewBrokerId,
  releaseBrokerId,
  liveBrokers,
  acquireController,
  releaseController,
  createTopic,
  renewLeaderLease,
  claimLeadership,
  updateIsr,
];
