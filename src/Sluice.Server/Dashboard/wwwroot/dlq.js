// The dead-letter browser (/dlq): dead-letter topics with counts by reason (GET /api/dlq), a topic's records filtered
// by reason (GET /api/dlq/{topic}), and replay of the selected records (POST /api/dlq/{topic}/replay, with the token).
import { api, h, poll, table, num, fmtWhole, fmtTime, ApiError, mutate, tokenForm, messageLine } from './util.js';

/** The dead-letter browser. The chosen topic and reason live in the URL (?topic=&reason=) so a view can be shared. */
export function dlqPage(view, signal) {
  const params = new URLSearchParams(location.search);
  const state = { topic: params.get('topic'), reason: params.get('reason') ?? '', records: [], selected: new Set(), summaries: [] };

  const summaryBox = h('div', {}, h('p', { class: 'empty' }, 'Loading dead-letter topics…'));
  const browser = h('section', { class: 'dlq-browser', hidden: true });
  view.append(h('h1', {}, 'Dead letters'), summaryBox, browser);

  const reasonSelect = h('select', { name: 'reason-choice', 'aria-label': 'Reason', onchange: () => { reasonInput.value = reasonSelect.value; load(); } });
  const reasonInput = h('input', { name: 'reason', type: 'search', placeholder: 'reason contains…', 'aria-label': 'Reason contains', value: state.reason });
  const filterForm = h('form', { class: 'filters', onsubmit: event => { event.preventDefault(); load(); } },
    h('label', {}, 'Reason ', reasonSelect), reasonInput, h('button', { type: 'submit' }, 'Filter'));
  const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all', onchange: () => {
    state.selected = selectAll.checked ? new Set(state.records.map(key)) : new Set();
    renderRecords();
  } });
  const replayButton = h('button', { class: 'primary replay', type: 'button', disabled: true, onclick: () => replay() }, 'Replay selected');
  const message = messageLine();
  const token = tokenForm();
  const recordsBox = h('div', {});
  const heading = h('h2', {});
  browser.append(heading, filterForm, h('div', { class: 'actions' }, replayButton, h('button', { type: 'button', onclick: () => load() }, 'Refresh')), token.element, message.element, recordsBox);

  const key = r => `${r.partition}:${r.offset}`;

  const say = (text, kind) => message.say(text, kind);

  // Rebuilt only when the figures change, so a poll never replaces a link or an open menu under the pointer.
  let drawn = '';
  function renderSummaries() {
    const signature = JSON.stringify([state.summaries, state.topic]);
    if (signature === drawn) return;
    drawn = signature;
    summaryBox.replaceChildren(state.summaries.length === 0
      ? h('p', { class: 'empty' }, 'No dead letters: no record has been rejected.')
      : table(['Topic', 'Meant for', 'Records', 'Reasons'], state.summaries.map(t => h('tr', { 'data-dlq': t.topic, class: t.topic === state.topic ? 'selected' : null },
        h('td', {}, h('a', { href: `/dlq?topic=${encodeURIComponent(t.topic)}` }, t.topic)),
        h('td', {}, t.originTopic),
        num(fmtWhole(t.records), { class: 'num count' }),
        h('td', { class: 'reasons' }, t.reasons.slice(0, 3).map(r => h('div', {}, h('span', { class: 'count' }, fmtWhole(r.count)), ' ', r.reason || '(no reason)')),
          t.reasons.length > 3 ? h('div', { class: 'more' }, `and ${t.reasons.length - 3} more reasons`) : null))), { class: 'dlq-topics' }));
    const current = state.summaries.find(t => t.topic === state.topic);
    if (current) {
      const chosen = reasonInput.value;
      reasonSelect.replaceChildren(h('option', { value: '' }, `All reasons (${fmtWhole(current.records)})`),
        ...current.reasons.map(r => h('option', { value: r.reason, selected: r.reason === chosen }, `${r.reason || '(no reason)'} (${fmtWhole(r.count)})`)));
      if (!current.reasons.some(r => r.reason === chosen)) reasonSelect.value = '';
    }
  }

  function renderRecords() {
    replayButton.disabled = state.selected.size === 0;
    replayButton.textContent = state.selected.size === 0 ? 'Replay selected' : `Replay ${state.selected.size} selected`;
    selectAll.checked = state.records.length > 0 && state.selected.size === state.records.length;
    recordsBox.replaceChildren(state.records.length === 0
      ? h('p', { class: 'empty' }, 'No dead letter matches.')
      : table([selectAll, 'Partition', 'Offset', 'Time', 'Reason', 'Where', 'Original payload'], state.records.map(r => h('tr', { 'data-offset': r.offset, 'data-partition': r.partition },
        h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select offset ${r.offset}`, checked: state.selected.has(key(r)), onchange: event => {
          if (event.target.checked) state.selected.add(key(r)); else state.selected.delete(key(r));
          renderRecords();
        } })),
        num(r.partition), num(r.offset), h('td', {}, fmtTime(r.time)),
        h('td', { class: 'reason' }, r.reason || '(no reason)'),
        h('td', {}, [r.origin, r.location].filter(Boolean).join(' · ')),
        h('td', {}, r.key !== null ? h('div', { class: 'key' }, `key ${r.key}`) : null,
          r.payload === null ? h('em', {}, 'no payload') : h('pre', { class: `payload ${r.payloadEncoding}`, title: r.payloadEncoding === 'base64' ? 'not UTF-8: shown as base64' : null }, r.payload)))), { class: 'dead-letters' }));
  }

  async function load() {
    if (!state.topic) return;
    state.reason = reasonInput.value.trim();
    const url = new URL(location.href);
    url.searchParams.set('topic', state.topic);
    if (state.reason) url.searchParams.set('reason', state.reason); else url.searchParams.delete('reason');
    history.replaceState(null, '', url);
    try {
      const page = await api(`/api/dlq/${encodeURIComponent(state.topic)}?limit=200${state.reason ? `&reason=${encodeURIComponent(state.reason)}` : ''}`);
      state.records = page.records;
      state.selected = new Set([...state.selected].filter(k => page.records.some(r => key(r) === k)));
      heading.textContent = `${page.topic} → ${page.originTopic}${page.more ? ' (first 200 shown)' : ''}`;
      renderRecords();
    } catch (error) {
      say(error.message, 'error');
    }
  }

  async function replay() {
    const records = state.records.filter(r => state.selected.has(key(r))).map(r => ({ partition: r.partition, offset: r.offset }));
    if (records.length === 0) return;
    try {
      const result = await mutate(`/api/dlq/${encodeURIComponent(state.topic)}/replay`, token, replay, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      if (result === null) return;
      // Replay is idempotent: a record an earlier replay appended is skipped, and said so.
      const plural = n => `${n} record${n === 1 ? '' : 's'}`;
      const where = rs => rs.map(r => `${r.originTopic} partition ${r.originPartition} offset ${r.originOffset}`).join(', ');
      const fresh = result.replayed.filter(r => !r.alreadyReplayed);
      const earlier = result.replayed.filter(r => r.alreadyReplayed);
      say([
        fresh.length > 0 ? `Replayed ${plural(fresh.length)}: appended to ${where(fresh)}.` : null,
        earlier.length > 0 ? `${fresh.length > 0 ? 'Skipped' : 'Nothing appended: skipped'} ${plural(earlier.length)} already replayed (at ${where(earlier)}).` : null,
      ].filter(Boolean).join(' '), 'success');
      state.selected.clear();
      renderRecords();
    } catch (error) {
      say(error instanceof ApiError && error.status === 401
        ? 'Nothing was replayed: the API token is missing or wrong.'
        : `Nothing was replayed: ${error.message}`, 'error');
    }
  }

  if (state.topic) {
    browser.hidden = false;
    heading.textContent = state.topic;
    load();
  }
  poll(signal, async () => {
    const body = await api('/api/dlq');
    if (signal.aborted) return;
    state.summaries = body.topics;
    renderSummaries();
  });
}
