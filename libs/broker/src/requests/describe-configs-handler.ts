import type { MetadataCache } from '@tributary/coordination';
import { describeTopicConfig, ErrorCode, type DescribeConfigsRequest, type DescribeConfigsResponse, type TopicConfig } from '@tributary/protocol';

/** DescribeConfigs for topics, from this broker's metadata: every config with its value and source. */
export class DescribeConfigsHandler {
  constructor(
    private readonly metadata: MetadataCache,
    private readonly topicDefaults: TopicConfig,
  ) {}

  handle(request: DescribeConfigsRequest): DescribeConfigsResponse {
    const topics = request.topics.map((name) => {
      const t = this.metadata.topic(name);
      if (!t) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist`, configs: [] };
      return { name, errorCode: ErrorCode.NONE, configs: describeTopicConfig(t.topic.configs, this.topicDefaults) };
    });
    return { errorCode: ErrorCode.NONE, topics };
  }
}
