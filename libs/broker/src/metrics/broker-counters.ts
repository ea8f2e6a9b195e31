/** Per-topic traffic, counted since the process started. */
export interface TopicTraffic {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The broker's event counters, as plain numbers: libs/broker counts, and the process's
 * metrics endpoint (libs/nestjs, prom-client) reads them when scraped. Counting here keeps
 * the metrics library out of the partition code and its unit tests.
 */
export class BrokerCounters {
  private readonly traffic = new Map<string, TopicTraffic>();
  isrShrinks = 0;
  isrExpands = 0;

  /** A leader appended `records` records in `bytes` bytes of batches (Kafka's MessagesInPerSec, BytesInPerSec). */
  appended(topic: string, records: number, bytes: number): void {
    const t = this.of(topic);
    t.messagesIn += records;
    t.bytesIn += bytes;
  }

  /** A consumer fetch was answered with `bytes` bytes of records (Kafka's BytesOutPerSec; replica reads are not counted). */
  served(topic: string, bytes: number): void {
    if (bytes > 0) this.of(topic).bytesOut += bytes;
  }

  isrChanged(kind: 'shrink' | 'expand'): void {
    if (kind === 'shrink') this.isrShrinks++;
    else this.isrExpands++;
  }

  topics(): ReadonlyMap<string, Readonly<TopicTraffic>> {
    return this.traffic;
  }

  private of(topic: string): TopicTraffic {
    let t = this.traffic.get(topic);
    if (!t) this.traffic.set(topic, (t = { messagesIn: 0, bytesIn: 0, bytesOut: 0 }));
    return t;
  }
}
