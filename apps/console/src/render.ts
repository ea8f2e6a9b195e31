import { byId, formatBytes, h, table } from './dom';
import type { GroupView, Snapshot, TopicView } from './snapshot';

/** Redraws the brokers, topics and groups panels from a snapshot. */
export function render(s: Snapshot, connectedTo: string): void {
  byId('cluster-id').textContent = `cluster ${s.cluster.clusterId} · via ${connectedTo} · ${s.at.toLocaleTimeString()}`;
  byId('brokers').replaceChildren(
    table(
      { 'data-testid': 'brokers-table' },
      ['id', 'address', 'role'],
      s.cluster.brokers
        .sort((a, b) => a.id - b.id)
        .map((b) => ({
          attrs: { 'data-broker': String(b.id) },
          cells: [b.id, b.url, b.id === s.cluster.controller ? h('span', { class: 'badge' }, 'controller') : ''],
        })),
    ),
  );
  byId('topics').replaceChildren(...(s.topics.length ? s.topics.map(topicPanel) : [h('p', { class: 'empty' }, 'no topics')]));
  byId('groups').replaceChildren(...(s.groups.length ? s.groups.map(groupPanel) : [h('p', { class: 'empty' }, 'no consumer groups')]));
  const select = byId<HTMLSelectElement>('tail-topic');
  const produceTopics = byId<HTMLDataListElement>('topic-names');
  const names = s.topics.map((t) => t.name);
  if ([...select.options].map((o) => o.value).join('\n') !== names.join('\n')) {
    const chosen = select.value;
    select.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
    if (names.includes(chosen)) select.value = chosen;
    produceTopics.replaceChildren(...names.map((n) => h('option', { value: n })));
  }
}

function topicPanel(t: TopicView): HTMLElement {
  const records = t.partitions.reduce((sum, p) => sum + ((p.high ?? 0) - (p.low ?? 0)), 0);
  return h(
    'section',
    { class: 'topic', 'data-topic': t.name },
    h('h3', {}, t.name, h('small', {}, ` ${t.partitions.length} partitions · ${records} records`)),
    table(
      {},
      ['partition', 'leader', 'epoch', 'replicas', 'ISR', 'low', 'high', 'size'],
      t.partitions.map((p) => ({
        attrs: { 'data-partition': String(p.partition), class: p.isr.length < p.replicas.length ? 'under-replicated' : '' },
        cells: [
          p.partition,
          p.leader < 0 ? 'none' : p.leader,
          p.leaderEpoch,
          p.replicas.join(', '),
          p.isr.join(', '),
          p.low ?? '–',
          p.high ?? '–',
          formatBytes(p.sizeBytes),
        ],
      })),
    ),
  );
}

function groupPanel({ group, lag }: GroupView): HTMLElement {
  const total = lag.reduce((sum, l) => sum + l.lag, 0);
  return h(
    'section',
    { class: 'group', 'data-group': group.groupId },
    h(
      'h3',
      {},
      group.groupId,
      h('small', {}, ` ${group.state} · generation ${group.generationId} · coordinator ${group.coordinatorId} · `),
      h('span', { class: 'lag-total', 'data-testid': 'group-lag' }, `lag ${total}`),
    ),
    table(
      {},
      ['member', 'client', 'assignment'],
      group.members.map((m) => ({
        cells: [m.memberId, m.clientId, m.assignment.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ') || '(none)'],
      })),
    ),
    table(
      { class: 'lag' },
      ['topic', 'partition', 'committed', 'high watermark', 'lag'],
      lag.map((l) => ({
        attrs: { 'data-lag': `${l.topic}/${l.partition}` },
        cells: [l.topic, l.partition, l.committedOffset < 0 ? 'none' : l.committedOffset, l.highWatermark, l.lag],
      })),
    ),
  );
}
