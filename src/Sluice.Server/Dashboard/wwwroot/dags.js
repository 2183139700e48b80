// The DAG pages: the list (/dags, from GET /api/dags) and one DAG (/dags/{id}): its task graph coloured by the selected
// run, a grid of recent runs (GET /api/dags/{id}/runs), the attempts of a clicked task instance with each attempt's log
// (GET …/attempts/{n}/log), and a Trigger button (POST /api/dags/{id}/runs, with the token).
import { api, h, s, poll, table, badge, fmtTime, fmtDuration, ApiError, mutate, tokenForm, messageLine } from './util.js';
import { layers } from './lineage.js';

const COLUMN = 190, ROW = 52, WIDTH = 150, HEIGHT = 34;

const noDags = 'The server runs no DAGs: start it with --dags-dir <folder>.';
const href = id => `/dags/${encodeURIComponent(id)}`;
const stateText = state => (state ?? 'no status').replaceAll('_', ' ');
/** A run's logical date for a grid column: local "MM-DD HH:MM" (the full date and time are in its tooltip). */
function fmtColumn(iso) {
  const date = new Date(iso), pad = n => String(n).padStart(2, '0');
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
const nextRun = dag => (dag.next_run ? `${fmtTime(dag.next_run.logical_date)} (due ${fmtTime(dag.next_run.due_at)})` : '–');

/** The DAGs: schedule, zone, next run and last run of each, refreshed every poll. */
export function dagsPage(view, signal) {
  const body = h('div', {}, h('p', { class: 'empty' }, 'Loading DAGs…'));
  view.append(h('h1', {}, 'DAGs'), body);
  poll(signal, async () => {
    const dags = await api('/api/dags').catch(error => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
    if (signal.aborted) return;
    if (dags === null || dags.length === 0) {
      body.replaceChildren(h('p', { class: 'empty' }, dags === null ? noDags : 'The DAGs folder holds no DAG.'));
      return;
    }
    body.replaceChildren(table(['DAG', 'Schedule', 'Time zone', 'Tasks', 'Next run', 'Last run', 'Logical date'], dags.map(dag => h('tr', { 'data-dag': dag.id },
      h('td', {}, h('a', { href: href(dag.id) }, dag.id)),
      h('td', {}, h('code', {}, dag.schedule)),
      h('td', {}, dag.timezone),
      h('td', {}, dag.tasks.length),
      h('td', { class: 'next-run' }, nextRun(dag)),
      h('td', { class: 'state' }, dag.latest_run ? badge(dag.latest_run.state) : '–'),
      h('td', {}, dag.latest_run ? fmtTime(dag.latest_run.interval.start) : '–'))), { class: 'dags' }));
  });
}

/** The task graph: boxes by longest-path layer, left to right, each coloured by its state in `states` (task id → state). */
function drawTasks(dag, states) {
  const edges = dag.tasks.flatMap(t => t.depends_on.map(from => ({ from, to: t.id })));
  const depth = layers(dag.tasks, edges);
  const rows = new Map(), position = new Map();
  for (const task of dag.tasks) {
    const column = depth.get(task.id), row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(task.id, { x: 10 + column * COLUMN, y: 10 + row * ROW });
  }
  const width = 20 + WIDTH + Math.max(0, ...depth.values()) * COLUMN;
  const height = 20 + Math.max(1, ...rows.values()) * ROW - (ROW - HEIGHT);
  const svg = s('svg', { class: 'dag-tasks', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Tasks of ${dag.id}` },
    s('defs', {}, s('marker', { id: 'task-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' },
      s('path', { d: 'M0,0 L10,5 L0,10 z' }))));
  for (const { from, to } of edges) {
    const a = position.get(from), b = position.get(to);
    svg.append(s('line', { class: 'task-edge', x1: a.x + WIDTH, y1: a.y + HEIGHT / 2, x2: b.x, y2: b.y + HEIGHT / 2, 'marker-end': 'url(#task-arrow)', 'data-from': from, 'data-to': to }));
  }
  for (const task of dag.tasks) {
    const { x, y } = position.get(task.id);
    const state = states.get(task.id) ?? 'none';
    svg.append(s('g', { class: `task-node state-${state}`, 'data-task': task.id, 'data-state': state },
      s('title', {}, `${task.id} (${task.kind}): ${stateText(states.get(task.id))}`),
      s('rect', { x, y, width: WIDTH, height: HEIGHT, rx: 6 }),
      s('text', { x: x + 8, y: y + HEIGHT / 2 + 4 }, task.id.length > 20 ? `${task.id.slice(0, 19)}…` : task.id)));
  }
  return svg;
}

/** One DAG: its facts, Trigger, the task graph, the grid of runs and the selected task instance's attempts and logs. */
export function dagPage(view, signal, id) {
  const selected = { run: null, task: null };
  let dag = null, runs = [], drawn = '', shownAttempts = '';
  const logs = new Map();

  const facts = h('p', { class: 'dag-facts' });
  const message = messageLine();
  const token = tokenForm();
  const triggerButton = h('button', { type: 'button', class: 'primary trigger', onclick: () => trigger() }, 'Trigger');
  const graphBox = h('div', { class: 'graph-box' }, h('p', { class: 'empty' }, 'Loading the DAG…'));
  const gridBox = h('div', { class: 'dag-grid-box' });
  const attemptsBox = h('section', { class: 'attempts', hidden: true });
  view.append(h('h1', {}, h('a', { href: '/dags' }, 'DAGs'), ' / ', id), facts,
    h('div', { class: 'actions' }, triggerButton), token.element, message.element,
    h('h2', {}, 'Graph'), graphBox, h('h2', {}, 'Runs'), gridBox, attemptsBox);

  const runOf = runId => runs.find(r => r.run.run_id === runId);
  const instanceOf = (entry, taskId) => entry?.tasks.find(t => t.task_id === taskId);
  const select = (run, task) => {
    selected.run = run;
    selected.task = task;
    render();
  };

  function renderGrid(chronological) {
    if (chronological.length === 0) return h('p', { class: 'empty' }, 'No runs yet: trigger one, or wait for the schedule.');
    const head = chronological.map(({ run }) => h('th', { class: run.run_id === selected.run ? 'selected' : null },
      h('button', { type: 'button', class: `run-head state-${run.state}`, 'data-run': run.run_id, 'data-state': run.state,
        title: `${run.run_id}\n${run.kind}, ${stateText(run.state)}\nlogical date ${fmtTime(run.interval.start)}`, onclick: () => select(run.run_id, selected.task) },
      fmtColumn(run.interval.start))));
    const rows = dag.tasks.map(task => h('tr', { 'data-task': task.id }, h('td', { class: 'task' }, task.id), chronological.map(entry => {
      const state = instanceOf(entry, task.id)?.state ?? 'none';
      const chosen = entry.run.run_id === selected.run && task.id === selected.task;
      return h('td', { class: 'cell-box' }, h('button', {
        type: 'button', class: `cell state-${state}${chosen ? ' selected' : ''}`, 'data-run': entry.run.run_id, 'data-task': task.id, 'data-state': state,
        title: `${task.id} in ${entry.run.run_id}: ${stateText(instanceOf(entry, task.id)?.state)}`, 'aria-label': `${task.id} in ${entry.run.run_id}: ${stateText(state)}`,
        onclick: () => select(entry.run.run_id, task.id) }));
    })));
    return h('table', { class: 'dag-grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Task'), head)), h('tbody', {}, rows));
  }

  // The graph and the grid are rebuilt only when the runs or the selection change, so a poll never replaces a cell
  // under the pointer between its press and its release.
  function render() {
    if (!dag) return;
    selected.run = runOf(selected.run) ? selected.run : runs[0]?.run.run_id ?? null;
    const signature = JSON.stringify([runs, selected, dag.tasks]);
    if (signature !== drawn) {
      drawn = signature;
      const states = new Map((runOf(selected.run)?.tasks ?? []).map(t => [t.task_id, t.state]));
      graphBox.replaceChildren(drawTasks(dag, states));
      gridBox.replaceChildren(renderGrid([...runs].reverse()));
    }
    renderAttempts();
  }

  /** The selected task instance's attempts, and each attempt's log (a finished attempt's log is fetched once). */
  function renderAttempts() {
    const entry = runOf(selected.run);
    const instance = instanceOf(entry, selected.task);
    attemptsBox.hidden = !entry || !selected.task;
    if (attemptsBox.hidden) return;
    const signature = JSON.stringify([selected, instance]);
    if (signature === shownAttempts) return;
    shownAttempts = signature;
    const heading = h('h2', {}, `${selected.task} in ${selected.run}`);
    if (!instance || instance.attempts.length === 0) {
      attemptsBox.replaceChildren(heading, h('p', { class: 'empty' }, `No attempt yet (${stateText(instance?.state)}).`));
      return;
    }
    const ended = a => (a.ended_at ? Date.parse(a.ended_at) - Date.parse(a.started_at) : null);
    attemptsBox.replaceChildren(heading,
      table(['Attempt', 'State', 'Started', 'Ended', 'Took', 'Exit code', 'Error'], instance.attempts.map(a => h('tr', { 'data-attempt': a.number },
        h('td', {}, a.number), h('td', { class: 'state' }, h('span', { class: `state-tag state-${a.state}` }, stateText(a.state))),
        h('td', {}, fmtTime(a.started_at)), h('td', {}, fmtTime(a.ended_at)), h('td', {}, fmtDuration(ended(a))),
        h('td', {}, a.exit_code ?? '–'), h('td', { class: 'error' }, a.error ?? ''))), { class: 'attempts-table' }),
      ...instance.attempts.map(a => {
        const key = `${selected.run}/${selected.task}/${a.number}`;
        const pre = h('pre', { class: 'attempt-log', 'data-attempt': a.number }, logs.get(key) ?? 'Loading the log…');
        const path = `/api/dags/${encodeURIComponent(id)}/runs/${encodeURIComponent(selected.run)}/tasks/${encodeURIComponent(selected.task)}/attempts/${a.number}/log`;
        if (!logs.has(key) || a.state === 'running') {
          fetch(path, { cache: 'no-store' }).then(async response => {
            const text = await response.text();
            if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
            if (a.state !== 'running') logs.set(key, text);
            pre.textContent = text === '' ? '(the log is empty)' : text;
          }).catch(error => { pre.textContent = `The log does not load: ${error.message}`; });
        }
        return h('div', { class: 'attempt' }, h('h3', {}, `Attempt ${a.number} log`), pre);
      }));
  }

  async function trigger() {
    triggerButton.disabled = true;
    try {
      const result = await mutate(`/api/dags/${encodeURIComponent(id)}/runs`, token, trigger);
      if (result === null) return;
      message.say(result.created ? `Triggered run ${result.run.run_id}.` : `A run at that logical date exists already: ${result.run.run_id}.`, 'success');
      // Selected before the runs are read again, so the new run is the one shown once it is in the list.
      selected.run = result.run.run_id;
      selected.task = null;
      await tick().catch(() => {});
    } catch (error) {
      message.say(error instanceof ApiError && error.status === 401
        ? 'Nothing was triggered: the API token is missing or wrong.'
        : `Nothing was triggered: ${error.message}`, 'error');
    } finally {
      triggerButton.disabled = false;
    }
  }

  async function tick() {
    const [dags, recent] = await Promise.all([
      api('/api/dags').catch(error => { throw error instanceof ApiError && error.status === 404 ? new ApiError(404, noDags) : error; }),
      api(`/api/dags/${encodeURIComponent(id)}/runs?limit=25`),
    ]);
    if (signal.aborted) return;
    dag = dags.find(d => d.id === id);
    runs = recent;
    facts.replaceChildren(`Schedule `, h('code', {}, dag.schedule), ` · time zone ${dag.timezone} · next run ${nextRun(dag)} · catch-up ${dag.catchup ? 'on' : 'off'} · at most ${dag.max_active_runs} active run${dag.max_active_runs === 1 ? '' : 's'}`);
    render();
  }

  poll(signal, tick);
}
