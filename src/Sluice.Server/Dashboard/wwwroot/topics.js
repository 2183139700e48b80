// The topics page (/topics): the embedded log's topics and partitions, and consumer groups with their lag, from
// GET /api/topics, GET /api/groups and GET /api/groups/{group}.
import { api, h, poll, Rates, table, num, fmtWhole, fmtBytes, fmtRate } from './util.js';

const list = body => (Array.isArray(body) ? body : body?.topics ?? body?.groups ?? body?.partitions ?? []);
const topicName = t => t.name ?? t.topic;
const groupName = g => (typeof g === 'string' ? g : g.group ?? g.name ?? g.id);
const startOf = p => p.startOffset ?? p.logStartOffset ?? 0;
const sizeOf = p => p.sizeBytes ?? p.size ?? null;
const committedOf = p => p.committed ?? p.committedOffset ?? p.offset ?? null;

/** Topics with per-partition offsets, sizes and append rates; consumer groups with lag per partition. */
export function topicsPage(view, signal) {
  const rates = new Rates();
  const topicsBox = h('div', {}, h('p', { class: 'empty' }, 'Loading topics…'));
  const groupsBox = h('div', {}, h('p', { class: 'empty' }, 'Loading consumer groups…'));
  view.append(h('h1', {}, 'Topics'), topicsBox, h('h2', {}, 'Consumer groups'), groupsBox);

  poll(signal, async () => {
    const [topics, groups] = await Promise.all([api('/api/topics').then(list), api('/api/groups').then(list)]);
    const lags = await Promise.all(groups.map(g => (Array.isArray(g.partitions)
      ? g
      : api(`/api/groups/${encodeURIComponent(groupName(g))}`).catch(() => ({ partitions: [] })))));
    if (signal.aborted) return;
    const names = new Set(topics.map(topicName));

    topicsBox.replaceChildren(topics.length === 0
      ? h('p', { class: 'empty' }, 'The log has no topics yet.')
      : table(['Topic', 'Partition', 'Start offset', 'End offset', 'Records', 'Size', 'Appends/s'], topics.flatMap(topic => {
        const partitions = topic.partitions ?? [];
        return partitions.map((p, i) => h('tr', { 'data-topic': topicName(topic), 'data-partition': p.partition },
          i === 0
            ? h('td', { rowspan: partitions.length }, topicName(topic), names.has(`${topicName(topic)}.dlq`) ? h('a', { class: 'dlq-link', href: `/dlq?topic=${encodeURIComponent(`${topicName(topic)}.dlq`)}` }, 'dead letters') : null)
            : null,
          num(p.partition),
          num(fmtWhole(startOf(p))),
          num(fmtWhole(p.endOffset), { class: 'num end-offset' }),
          num(fmtWhole(p.endOffset - startOf(p))),
          num(fmtBytes(sizeOf(p))),
          num(fmtRate(rates.rate(`${topicName(topic)}/${p.partition}`, p.endOffset)), { class: 'num rate' })));
      }), { class: 'topics' }));

    const rows = lags.flatMap((detail, i) => list(detail).map(p => h('tr', { 'data-group': groupName(groups[i]), 'data-topic': p.topic, 'data-partition': p.partition },
      h('td', {}, groupName(groups[i])), h('td', {}, p.topic), num(p.partition),
      num(fmtWhole(committedOf(p))), num(fmtWhole(p.endOffset)),
      num(fmtWhole(p.lag), { class: `num lag${p.lag > 0 ? ' behind' : ''}` }))));
    groupsBox.replaceChildren(rows.length === 0
      ? h('p', { class: 'empty' }, 'No consumer group has committed an offset yet.')
      : table(['Group', 'Topic', 'Partition', 'Committed', 'End offset', 'Lag'], rows, { class: 'groups' }));
  });
}
