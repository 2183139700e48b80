// The jobs list (/) and the job page (/jobs/{id}), from GET /api/jobs and GET /api/jobs/{id}.
import { api, h, poll, Rates, badge, table, num, fmtRate, fmtWhole, fmtDuration, fmtTime, fmtBytes, fmtWatermark, ApiError, mutate, tokenForm, messageLine } from './util.js';
import { drawGraph, updateNode, LineChart } from './charts.js';

const minWatermark = -8.64e15;

/** The records a job has read: what its sources emitted (the first operator's output when none says it is a source). */
function sourceRecords(details) {
  const totals = details.operatorTotals ?? [];
  const sources = totals.filter(t => t.isSource);
  return (sources.length ? sources : totals.slice(0, 1)).reduce((sum, t) => sum + t.recordsOut, 0);
}

/** Milliseconds a running job has been up; null otherwise. */
const uptime = job => (job.status === 'Running' || job.status === 'Restarting' ? Date.now() - Date.parse(job.startTime) : null);

/** The jobs list: status, name, uptime and records/s of each job, refreshed every poll. */
export function jobsPage(view, signal) {
  const rates = new Rates();
  const body = h('div', {}, h('p', { class: 'empty' }, 'Loading jobs…'));
  view.append(h('h1', {}, 'Jobs'), body);
  poll(signal, async () => {
    const jobs = await api('/api/jobs');
    // The list has no figures: read each job (the first 25) for its source counters.
    const details = await Promise.all(jobs.slice(0, 25).map(job => api(`/api/jobs/${encodeURIComponent(job.id)}`).catch(() => null)));
    if (signal.aborted) return;
    if (jobs.length === 0) {
      body.replaceChildren(h('p', { class: 'empty' }, 'No jobs yet. Submit one with ', h('code', {}, 'sluice jobs submit -f job.sql'), ' or POST /api/jobs.'));
      return;
    }
    body.replaceChildren(table(['Name', 'Status', 'Uptime', 'Records read', 'Records/s', 'Started'], jobs.map((job, i) => {
      const read = details[i] ? sourceRecords(details[i]) : null;
      const rate = read === null ? null : rates.rate(`${job.id}/${job.runId}`, read);
      return h('tr', { 'data-job': job.id },
        h('td', {}, h('a', { href: `/jobs/${encodeURIComponent(job.id)}` }, job.name)),
        h('td', {}, badge(job.status)),
        num(fmtDuration(uptime(job)), { class: 'num uptime' }),
        num(fmtWhole(read), { class: 'num records' }),
        num(fmtRate(rate), { class: 'num rate' }),
        h('td', {}, fmtTime(job.startTime)));
    }), { class: 'jobs' }));
  });
}

/**
 * Each operator's backpressure, 0..1: the highest share of the last poll interval the subtasks of its task spent
 * blocked on a full output channel (the share since the run started at the first poll).
 */
function backpressureByOperator(job, rates) {
  const ratios = new Map();
  for (const task of job.tasks ?? []) {
    const recent = rates.rate(`${job.runId}/${task.task}/${task.subtask}/bp`, task.backpressuredSeconds);
    const ratio = Math.min(1, Math.max(0, recent ?? task.backpressuredRatio));
    for (const uid of task.operators ?? []) ratios.set(uid, Math.max(ratios.get(uid) ?? 0, ratio));
  }
  return ratios;
}

/**
 * The job's actions: take a savepoint, stop (with or without one). They change the job, so they send the API token
 * (asked for once per tab). Built once per page, never re-rendered by the poll, so a click is never lost; enabled
 * only while the job runs and no action is in flight.
 */
function jobActions(id) {
  const message = messageLine();
  const token = tokenForm();
  let running = false, busy = false;
  const savepointButton = h('button', { type: 'button', class: 'savepoint', onclick: () => savepoint() }, 'Savepoint');
  const stopButton = h('button', { type: 'button', class: 'stop', onclick: () => stop(false) }, 'Stop');
  const stopWithSavepointButton = h('button', { type: 'button', class: 'primary stop-savepoint', onclick: () => stop(true) }, 'Stop with savepoint');
  const buttons = [savepointButton, stopButton, stopWithSavepointButton];
  const element = h('div', {}, h('div', { class: 'actions job-actions' }, ...buttons), token.element, message.element);
  const refresh = () => buttons.forEach(b => { b.disabled = !running || busy; });
  const base = `/api/jobs/${encodeURIComponent(id)}`;

  async function run(action, describe, failure) {
    busy = true;
    refresh();
    try {
      const result = await action();
      if (result !== null) message.say(describe(result), 'success');
    } catch (error) {
      message.say(error instanceof ApiError && error.status === 401 ? `${failure}: the API token is missing or wrong.` : `${failure}: ${error.message}`, 'error');
    } finally {
      busy = false;
      refresh();
    }
  }

  const savepoint = () => run(() => mutate(`${base}/savepoints`, token, savepoint),
    s => `Savepoint ${s.id} taken (checkpoint ${s.checkpointId}) at ${s.path}.`, 'No savepoint was taken');
  const stop = withSavepoint => run(() => mutate(`${base}/stop?savepoint=${withSavepoint}`, token, () => stop(withSavepoint)),
    r => `Job stopped (${r.status})${r.savepoint ? `; savepoint ${r.savepoint.id} at ${r.savepoint.path}` : ''}.`, 'The job was not stopped');

  refresh();
  return {
    element,
    /** Called at every poll with the job's status. */
    update(status) {
      running = status === 'Running';
      refresh();
    },
  };
}

/** The job page: summary, actions, live operator graph, throughput and lag charts, checkpoints and exceptions. */
export function jobPage(view, signal, id) {
  const rates = new Rates();
  const title = h('h1', {}, h('a', { href: '/' }, 'Jobs'), ' / ', h('span', { class: 'job-name' }, id));
  const summary = h('div', { class: 'tiles' });
  const graphBox = h('div', { class: 'graph-box' });
  const throughput = new LineChart('Throughput (records/s read by the sources)', fmtRate);
  const lag = new LineChart('Event-time lag at the sinks (now − watermark)', fmtDuration);
  const checkpoints = h('div', {});
  const rules = h('div', {});
  const exceptions = h('div', {});
  const error = h('p', { class: 'error', hidden: true });
  const actions = jobActions(id);
  view.append(title, error, summary, actions.element,
    h('h2', {}, 'Operators'), graphBox,
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Throughput: records/s read by the sources'), throughput.element),
      h('figure', {}, h('figcaption', {}, 'Latency: event-time lag at the sinks (now − watermark)'), lag.element)),
    h('h2', {}, 'Data quality'), rules,
    h('h2', {}, 'Checkpoints'), checkpoints,
    h('h2', {}, 'Exceptions'), exceptions);

  let drawnRun = null, svg = null, report = null, reportAt = 0;
  poll(signal, async () => {
    let job;
    try {
      job = await api(`/api/jobs/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        error.hidden = false;
        error.textContent = e.message;
        return;
      }
      throw e;
    }
    if (signal.aborted) return;
    error.hidden = true;
    title.querySelector('.job-name').textContent = job.name;
    actions.update(job.status);

    const read = sourceRecords(job);
    const rate = rates.rate(`read/${job.runId}`, read);
    const completed = job.checkpoints ?? [];
    summary.replaceChildren(
      tile('Status', badge(job.status)),
      tile('Uptime', fmtDuration(uptime(job)), 'uptime'),
      tile('Records read', fmtWhole(read), 'records'),
      tile('Records/s', fmtRate(rate), 'rate'),
      tile('Checkpoints', fmtWhole(completed.length), 'checkpoints'),
      tile('Parallelism', job.parallelism));

    if (drawnRun !== job.runId) {
      svg = drawGraph(job.plan);
      graphBox.replaceChildren(svg);
      drawnRun = job.runId;
    }
    const sinks = new Set(job.plan.nodes.filter(n => !job.plan.edges.some(e => e.source === n.id)).map(n => n.uid));
    let sinkWatermark = null;
    const backpressure = backpressureByOperator(job, rates);
    for (const total of job.operatorTotals ?? []) {
      updateNode(svg, total.uid, {
        rateIn: total.isSource ? '–' : fmtRate(rates.rate(`${job.runId}/${total.uid}/in`, total.recordsIn)),
        rateOut: sinks.has(total.uid) ? '–' : fmtRate(rates.rate(`${job.runId}/${total.uid}/out`, total.recordsOut)),
        watermark: fmtWatermark(total.watermark),
        backpressure: backpressure.get(total.uid) ?? null,
      });
      if (sinks.has(total.uid) && total.watermark > minWatermark) sinkWatermark = Math.min(sinkWatermark ?? Infinity, total.watermark);
    }
    throughput.push(rate);
    lag.push(sinkWatermark === null ? null : Math.max(0, Date.now() - sinkWatermark));

    const ruleTotals = job.rules ?? [];
    // The quality report (windows, first failing record) reads the dead-letter topics: fetched every 10 s at most.
    if (ruleTotals.length > 0 && Date.now() - reportAt > 10_000) {
      reportAt = Date.now();
      try {
        report = await api(`/api/jobs/${encodeURIComponent(id)}/quality?examples=1`);
      } catch {
        report = null;
      }
    }
    const reported = new Map((report?.rules ?? []).map(r => [`${r.operator}/${r.rule}`, r]));
    const passRate = (passed, failed) => passed + failed === 0 ? '–' : `${(100 * passed / (passed + failed)).toFixed(2)} %`;
    rules.replaceChildren(ruleTotals.length === 0
      ? h('p', { class: 'empty' }, 'No data-quality rules (Expect, SQL CHECK) in this job.')
      : table(['Operator', 'Rule', 'Kind', 'Action', 'Passed', 'Failed', 'Pass rate', 'Last minute', 'First failing record'], ruleTotals.map(r => {
        const more = reported.get(`${r.operator}/${r.rule}`);
        const last = more?.windows?.at(-1);
        const example = more?.examples?.[0];
        return [r.operator, h('code', {}, r.rule), r.kind, r.action, num(fmtWhole(r.passed)), num(fmtWhole(r.failed)),
          num(passRate(r.passed, r.failed)), num(last ? passRate(last.passed ?? 0, last.failed) : '–'),
          example ? h('span', { title: example.payload ?? '' }, example.reason) : ''];
      }), { class: 'rules' }));
    checkpoints.replaceChildren(completed.length === 0
      ? h('p', { class: 'empty' }, 'No checkpoint completed yet.')
      : table(['Id', 'Time', 'Duration', 'Size', ''], completed.slice(0, 10).map(c =>
        [num(c.id), fmtTime(c.time), num(fmtDuration(c.durationMs)), num(fmtBytes(c.sizeBytes)), c.final ? 'final' : '']), { class: 'checkpoints' }));
    const history = job.exceptions ?? [];
    exceptions.replaceChildren(history.length === 0
      ? h('p', { class: 'empty' }, 'No status change or failure.')
      : table(['Time', 'Status', 'Cause'], history.slice(0, 10).map(x =>
        [fmtTime(x.time), `${x.from} → ${x.to}`, x.exceptionType ? h('span', {}, h('code', {}, x.exceptionType.split('.').pop()), ' ', x.message ?? '') : '']), { class: 'exceptions' }));
  });
}

function tile(label, value, name) {
  return h('div', { class: 'tile', 'data-tile': name }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}
