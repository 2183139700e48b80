// The lineage page (/lineage): the server's jobs and the datasets they read and write, from GET /api/lineage,
// drawn left to right (a dataset before the jobs reading it, a job before the datasets it writes), and each job's
// last run state in a table.
import { api, h, s, poll, table, badge, fmtTime } from './util.js';
import { layers } from './graph.js';

const COLUMN = 260, ROW = 56, WIDTH = 200, HEIGHT = 36;

const label = node => (node.kind === 'job' ? node.name : `${node.namespace}/${node.name}`);
const short = text => (text.length > 30 ? `…${text.slice(-29)}` : text);

/** The graph as SVG: rounded boxes for jobs (coloured by last state), plain boxes for datasets, arrows for edges. */
function drawGraph(graph) {
  const depth = layers(graph.nodes, graph.edges);
  const rows = new Map();
  const position = new Map();
  for (const node of graph.nodes) {
    const column = depth.get(node.id);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(node.id, { x: 10 + column * COLUMN, y: 10 + row * ROW });
  }
  const width = 20 + (Math.max(0, ...depth.values()) + 1) * COLUMN;
  const height = 20 + Math.max(1, ...rows.values()) * ROW;
  const svg = s('svg', { class: 'lineage-graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Lineage graph' },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' },
      s('path', { d: 'M0,0 L10,5 L0,10 z' }))));
  for (const { from, to } of graph.edges) {
    const a = position.get(from), b = position.get(to);
    if (!a || !b) continue;
    svg.append(s('line', { class: 'lineage-edge', x1: a.x + WIDTH, y1: a.y + HEIGHT / 2, x2: b.x, y2: b.y + HEIGHT / 2, 'marker-end': 'url(#arrow)', 'data-from': from, 'data-to': to }));
  }
  for (const node of graph.nodes) {
    const { x, y } = position.get(node.id);
    const state = node.state ? ` ${node.state.toLowerCase()}` : '';
    const title = node.kind === 'dataset' && node.fields ? `${label(node)}\n${node.fields.join('\n')}` : node.error ? `${label(node)}\n${node.error}` : label(node);
    svg.append(s('g', { class: `lineage-node ${node.kind}${state}`, 'data-id': node.id },
      s('title', {}, title),
      s('rect', { x, y, width: WIDTH, height: HEIGHT, rx: node.kind === 'job' ? 10 : 2 }),
      s('text', { x: x + 8, y: y + HEIGHT / 2 + 4 }, short(label(node)))));
  }
  return svg;
}

/** The lineage graph and a table of the jobs' last runs, refreshed at every poll. */
export function lineagePage(view, signal) {
  const graphBox = h('div', { class: 'lineage' }, h('p', { class: 'empty' }, 'Loading lineage…'));
  const jobsBox = h('div', {});
  view.append(h('h1', {}, 'Lineage'), graphBox, h('h2', {}, 'Last runs'), jobsBox);

  poll(signal, async () => {
    const graph = await api('/api/lineage');
    if (signal.aborted) return;
    const jobs = graph.nodes.filter(n => n.kind === 'job');
    graphBox.replaceChildren(graph.nodes.length === 0
      ? h('p', { class: 'empty' }, 'No job has reported lineage yet.')
      : drawGraph(graph));
    jobsBox.replaceChildren(jobs.length === 0
      ? h('p', { class: 'empty' }, 'No runs yet.')
      : table(['Job', 'Type', 'Last state', 'At', 'Reads', 'Writes'], jobs.map(job => h('tr', { 'data-job': job.name },
        h('td', {}, job.name),
        h('td', {}, job.processingType ?? '–'),
        h('td', { class: 'state' }, badge(job.state), job.error ? h('span', { class: 'error' }, ` ${job.error}`) : null),
        h('td', {}, fmtTime(job.lastEventTime)),
        h('td', {}, graph.edges.filter(e => e.to === job.id).length),
        h('td', {}, graph.edges.filter(e => e.from === job.id).length))), { class: 'lineage-jobs' }));
  });
}
