// The DAG pages: the list (/dags, from GET /api/dags) and one DAG (/dags/{id}): its task graph coloured by the selected
// run, a grid of recent runs (GET /api/dags/{id}/runs), the attempts of a clicked task instance with each attempt's log
// (GET …/attempts/{n}/log), and a Trigger button (POST /api/dags/{id}/runs, with the token).
import { api, h, s, poll, table, badge, fmtDuration, ApiError, mutate, tokenForm, messageLine } from './util.js';
import { layers } from './graph.js';

const COLUMN = 190, ROW = 52, WIDTH = 150, HEIGHT = 34;

const noDags = 'The server runs no DAGs: start it with --dags-dir <folder>.';
const href = id => `/dags/${encodeURIComponent(id)}`;
const stateText = state => (state ?? 'no status').replaceAll('_', ' ');
/** The wall-clock fields of `iso` in the IANA zone `timeZone` (year, month, day, hour, minute, second; zero-padded). */
const formats = new Map();
function zonedParts(iso, timeZone) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  return Object.fromEntries(format.formatToParts(new Date(iso)).map(p => [p.type, p.value]));
}
/** A time in the DAG's zone: "YYYY-MM-DD HH:MM:SS", or "–". */
function fmtZoned(value, timeZone) {
  if (value === null || value === undefined || Number.isNaN(new Date(value).getTime())) return '–';
  const p = zonedParts(value, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}
/** A run's logical date for a grid column, in the DAG's zone: "MM-DD HH:MM", "YYYY-MM-DD HH:MM" when the runs span years. */
function fmtColumn(iso, timeZone, withYear) {
  const p = zonedParts(iso, timeZone);
  return `${withYear ? `${p.year}-` : ''}${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
const logText = text => (text === '' ? '(the log is empty)' : text);
const nextRun = dag => (dag.next_run ? `${fmtZoned(dag.next_run.logical_date, dag.timezone)} (due ${fmtZoned(dag.next_run.due_at, dag.timezone)})` : '–');

/** The DAGs: schedule, zone, next run and last run of each (times in the DAG's zone), refreshed every poll. */
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
      h('td', {}, dag.latest_run ? fmtZoned(dag.latest_run.interval.start, dag.timezone) : '–'))), { class: 'dags' }));
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
  // pinned: the user clicked a column or triggered a run; otherwise the graph follows the newest run.
  const selected = { run: null, task: null, pinned: false };
  // The run a trigger created, selected once a poll lists it (a poll in flight may still answer without it).
  let pendingRun = null;
  let dag = null, runs = [], drawn = '', shownAttempts = '', ticks = 0, applied = 0, logsAbort = null;
  const logs = new Map(), opened = new Set();
  signal.addEventListener('abort', () => logsAbort?.abort(), { once: true });

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
  const when = value => fmtZoned(value, dag.timezone);
  const select = (run, task) => {
    selected.run = run;
    selected.task = task;
    selected.pinned = true;
    render();
  };

  function renderGrid(chronological) {
    if (chronological.length === 0) return h('p', { class: 'empty' }, 'No runs yet: trigger one, or wait for the schedule.');
    const years = new Set(chronological.map(({ run }) => zonedParts(run.interval.start, dag.timezone).year));
    const head = chronological.map(({ run }) => h('th', { class: run.run_id === selected.run ? 'selected' : null },
      h('button', { type: 'button', class: `run-head state-${run.state}`, 'data-run': run.run_id, 'data-state': run.state,
        title: `${run.run_id}\n${run.kind}, ${stateText(run.state)}\nlogical date ${when(run.interval.start)}`, onclick: () => select(run.run_id, selected.task) },
      fmtColumn(run.interval.start, dag.timezone, years.size > 1))));
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

  // The graph and the grid are rebuilt only when the runs or the selection change (not on every poll); a change can
  // still replace a cell under the pointer, so a click that straddles one lands on nothing and is simply repeated.
  function render() {
    if (!dag) return;
    if (pendingRun !== null && runOf(pendingRun)) {
      selected.run = pendingRun;
      selected.pinned = true;
      pendingRun = null;
    }
    if (!selected.pinned || !runOf(selected.run)) {
      selected.run = runs[0]?.run.run_id ?? null;
      selected.pinned = false;
    }
    const signature = JSON.stringify([runs, selected, dag.tasks, dag.timezone]);
    if (signature !== drawn) {
      drawn = signature;
      const states = new Map((runOf(selected.run)?.tasks ?? []).map(t => [t.task_id, t.state]));
      graphBox.replaceChildren(drawTasks(dag, states));
      gridBox.replaceChildren(renderGrid([...runs].reverse()));
    }
    renderAttempts();
  }

  /**
   * The selected task instance's attempts, each with its log in a <details>: a log is fetched when its attempt is
   * opened (the newest is open at first), a finished attempt's once; a re-render aborts the fetches in flight.
   */
  function renderAttempts() {
    const entry = runOf(selected.run);
    const instance = instanceOf(entry, selected.task);
    attemptsBox.hidden = !entry || !selected.task;
    if (attemptsBox.hidden) return;
    const signature = JSON.stringify([selected.run, selected.task, instance]);
    if (signature === shownAttempts) return;
    shownAttempts = signature;
    logsAbort?.abort();
    const abort = logsAbort = new AbortController();
    const heading = h('h2', {}, `${selected.task} in ${selected.run}`);
    if (!instance || instance.attempts.length === 0) {
      attemptsBox.replaceChildren(heading, h('p', { class: 'empty' }, `No attempt yet (${stateText(instance?.state)}).`));
      return;
    }
    const ended = a => (a.ended_at ? Date.parse(a.ended_at) - Date.parse(a.started_at) : null);
    const run = selected.run, task = selected.task, newest = instance.attempts.at(-1).number;
    attemptsBox.replaceChildren(heading,
      table(['Attempt', 'State', 'Started', 'Ended', 'Took', 'Exit code', 'Error'], instance.attempts.map(a => h('tr', { 'data-attempt': a.number },
        h('td', {}, a.number), h('td', { class: 'state' }, h('span', { class: `state-tag state-${a.state}` }, stateText(a.state))),
        h('td', {}, when(a.started_at)), h('td', {}, when(a.ended_at)), h('td', {}, fmtDuration(ended(a))),
        h('td', {}, a.exit_code ?? '–'), h('td', { class: 'error' }, a.error ?? ''))), { class: 'attempts-table' }),
      ...instance.attempts.map(a => {
        const key = `${run}/${task}/${a.number}`;
        const pre = h('pre', { class: 'attempt-log', 'data-attempt': a.number }, logs.has(key) ? logText(logs.get(key)) : '');
        const path = `/api/dags/${encodeURIComponent(id)}/runs/${encodeURIComponent(run)}/tasks/${encodeURIComponent(task)}/attempts/${a.number}/log`;
        const load = () => {
          if (logs.has(key) && a.state !== 'running') return;
          pre.textContent = 'Loading the log…';
          fetch(path, { cache: 'no-store', signal: abort.signal }).then(async response => {
            const text = await response.text();
            if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
            if (a.state !== 'running') logs.set(key, text);
            pre.textContent = logText(text);
          }).catch(error => { if (!abort.signal.aborted) pre.textContent = `The log does not load: ${error.message}`; });
        };
        const open = opened.has(key) || (a.number === newest && !opened.has(`${key}:closed`));
        const details = h('details', { class: 'attempt', 'data-attempt': a.number }, h('summary', {}, `Attempt ${a.number} log`), pre);
        details.open = open;
        details.addEventListener('toggle', () => {
          if (details.open) {
            opened.add(key);
            opened.delete(`${key}:closed`);
            load();
          } else {
            opened.delete(key);
            opened.add(`${key}:closed`);
          }
        });
        if (open) load();
        return details;
      }));
  }

  async function trigger() {
    triggerButton.disabled = true;
    try {
      const result = await mutate(`/api/dags/${encodeURIComponent(id)}/runs`, token, trigger);
      if (result === null) return;
      message.say(result.created ? `Triggered run ${result.run.run_id}.` : `A run at that logical date exists already: ${result.run.run_id}.`, 'success');
      // Kept until a poll lists it: a poll that started before the trigger may answer without it.
      pendingRun = result.run.run_id;
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

  // Ticks are numbered: one that answers after a later one was applied (polls and a trigger overlap) is dropped.
  async function tick() {
    const number = ++ticks;
    let found, recent;
    try {
      [found, recent] = await Promise.all([
        api(`/api/dags/${encodeURIComponent(id)}`),
        api(`/api/dags/${encodeURIComponent(id)}/runs?limit=25`),
      ]);
    } catch (error) {
      if (signal.aborted || number < applied) return;
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      // No such DAG (or no DAGs at all): say so instead of "Loading…".
      applied = number;
      dag = null;
      facts.replaceChildren();
      gridBox.replaceChildren();
      attemptsBox.hidden = true;
      graphBox.replaceChildren(h('p', { class: 'empty no-dag' }, error.message.startsWith('The server runs no DAGs')
        ? noDags : `There is no DAG '${id}' on this server: see the list of DAGs.`));
      return;
    }
    if (signal.aborted || number < applied) return;
    applied = number;
    dag = found;
    runs = recent;
    facts.replaceChildren(`Schedule `, h('code', {}, dag.schedule), ` · time zone ${dag.timezone} (every time on this page is in it) · next run ${nextRun(dag)} · catch-up ${dag.catchup ? 'on' : 'off'} · at most ${dag.max_active_runs} active run${dag.max_active_runs === 1 ? '' : 's'}`);
    render();
  }

  poll(signal, tick);
}
