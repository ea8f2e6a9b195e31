import { z } from 'zod';

/**
 * Bounds every request field is checked against before any work starts, so the cost of a
 * request is known from its size: names are as long as Kafka allows and no longer, lists
 * have a ceiling, and a long poll cannot outlive a sane client timeout.
 */
export const RequestLimits = {
  /** Kafka's topic and group name limit */
  maxNameLength: 249,
  /** a client id, like a name, in Kafka's legal characters */
  maxClientIdLength: 249,
  /** `${clientId}-${uuid}` fits, with room */
  maxMemberIdLength: 300,
  /** topics named in one metadata request (10,000 × 249 chars stays under 2.5 MB) */
  maxMetadataTopics: 10_000,
  /** topic-partitions in one fetch, listOffsets, commit or offset fetch */
  maxPartitionsPerRequest: 10_000,
  /** a fetch long poll: above this, INVALID_REQUEST (a disconnect ends it earlier) */
  maxWaitMs: 30_000,
} as const;

/** Kafka's legal characters for names and client ids (its pre-KIP-55 client id rule). */
export const LEGAL_NAME_CHARS = /^[a-zA-Z0-9._-]*$/;

export function isValidClientId(clientId: string): boolean {
  return clientId.length <= RequestLimits.maxClientIdLength && LEGAL_NAME_CHARS.test(clientId);
}

/**
 * Kafka refuses a topic-partition listed twice in one request: the answer would be
 * ambiguous, and a fetch listing one partition 1,000 times would read it 1,000 times.
 */
export function rejectDuplicatePartitions<T extends { topic: string; partition: number }>(items: readonly T[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const key = `${items[i].partition}:${items[i].topic}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `duplicate topic-partition ${items[i].topic}-${items[i].partition}` });
      return;
    }
    seen.add(key);
  }
}
