/** A map key for a topic-partition; topic names cannot contain NUL, so keys never collide. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}
