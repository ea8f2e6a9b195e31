import { acquireController, releaseController } from './controller-lease';
import { createTopic } from './create-topic';
import { claimLeadership, renewLeaderLease, updateIsr } from './partition-leadership';
import { deregisterBroker, liveBrokers, registerBroker } from './register-broker';
import type { LuaScript } from './script';

export type { LuaScript } from './script';

export const SCRIPTS: readonly LuaScript[] = [
  registerBroker,
  liveBrokers,
  deregisterBroker,
  acquireController,
  releaseController,
  createTopic,
  renewLeaderLease,
  claimLeadership,
  updateIsr,
];
