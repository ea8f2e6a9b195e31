import { TributaryError } from '../errors';

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's topic name rule; '.' and '..' are reserved because they are directory names. */
export function isValidTopicName(name: string): boolean {
  return LEGAL.test(name) && name !== '.' && name !== '..';
}

export function assertValidTopicName(name: string): void {
  if (!isValidTopicName(name)) {
    throw TributaryError.of('INVALID_TOPIC_EXCEPTION', `topic name '${name.slice(0, 300)}' is invalid: use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'`);
  }
}
