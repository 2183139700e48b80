// Hand-written SVG: a layered layout of the operator graph, and line charts of the last polls.
import { s } from './util.js';

const nodeWidth = 190, nodeHeight = 78, layerGap = 56, rowGap = 24, margin = 12;

/**
 * Lays a DAG out in layers: a node's layer is the longest path from a source to it, and within a layer nodes are
 * ordered by the mean position of their parents (one barycenter pass), so edges cross little. Returns positions by id.
 */
export function layout(nodes, edges) {
  const parents = new Map(nodes.map(n => [n.id, []]));
  for (const e of edges) parents.get(e.target)?.push(e.source);
  const layer = new Map();
  const depth = id => {
    if (layer.has(id)) return layer.get(id);
    layer.set(id, 0); // guards against a cycle, which a plan never has
    const d = Math.max(-1, ...parents.get(id).map(depth)) + 1;
    layer.set(id, d);
    return d;
  };
  nodes.forEach(n => depth(n.id));
  const layers = [];
  for (const n of nodes) (layers[layer.get(n.id)] ??= []).push(n.id);
  const row = new Map();
  layers.forEach((ids, index) => {
    if (index > 0) {
      const center = id => {
        const p = parents.get(id);
        return p.length ? p.reduce((sum, q) => sum + row.get(q), 0) / p.length : 0;
      };
      ids.sort((a, b) => center(a) - center(b) || a - b);
    }
    ids.forEach((id, i) => row.set(id, i));
  });
  const rows = Math.max(1, ...layers.map(ids => ids.length));
  const positions = new Map();
  layers.forEach((ids, index) => {
    const offset = ((rows - ids.length) * (nodeHeight + rowGap)) / 2;
    ids.forEach((id, i) => positions.set(id, { x: margin + index * (nodeWidth + layerGap), y: margin + offset + i * (nodeHeight + rowGap) }));
  });
  return { positions, width: margin * 2 + layers.length * nodeWidth + Math.max(0, layers.length - 1) * layerGap, height: margin * 2 + rows * nodeHeight + (rows - 1) * rowGap };
}

/**
 * Draws the operator graph: one box per operator (name, kind, parallelism, and three live lines filled by
 * updateGraph), one curve per edge labelled with its partitioning. Returns the <svg>.
 */
export function drawGraph(plan) {
  const { positions, width, height } = layout(plan.nodes, plan.edges);
  // Scaled down to the page's width when the chain is long, never up.
  const svg = s('svg', { class: 'dag', viewBox: `0 0 ${width} ${height}`, style: `width: 100%; max-width: ${width}px`, role: 'img', 'aria-label': 'Operator graph' });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
  for (const edge of plan.edges) {
    const from = positions.get(edge.source), to = positions.get(edge.target);
    if (!from || !to) continue;
    const x1 = from.x + nodeWidth, y1 = from.y + nodeHeight / 2, x2 = to.x, y2 = to.y + nodeHeight / 2, bend = (x2 - x1) / 2;
    svg.append(s('path', { class: `edge ${edge.chained ? 'chained' : 'exchange'}`, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }));
    // Forward is the default: only exchanges that repartition, and side outputs, are labelled.
    const label = [edge.partitioning === 'forward' ? null : edge.partitioning, edge.sideOutput].filter(Boolean).join(' · ');
    if (label) svg.append(s('text', { class: 'edge-label', x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle' }, label));
  }
  for (const node of plan.nodes) {
    const { x, y } = positions.get(node.id);
    const name = node.name.length > 25 ? `${node.name.slice(0, 24)}…` : node.name;
    svg.append(s('g', { class: 'dag-node', 'data-uid': node.uid, transform: `translate(${x},${y})` },
      s('title', {}, `${node.name} (${node.kind}, parallelism ${node.parallelism}, task ${node.task})`),
      s('rect', { width: nodeWidth, height: nodeHeight, rx: 6 }),
      s('text', { class: 'node-name', x: 10, y: 18 }, name),
      s('text', { class: 'node-kind', x: 10, y: 33 }, `${node.kind} · parallelism ${node.parallelism}${node.keyed ? ' · keyed' : ''}`),
      s('text', { class: 'node-rates', x: 10, y: 51 }, 'in – · out –'),
      s('text', { class: 'node-watermark', x: 10, y: 67 }, 'watermark –'),
      s('rect', { class: 'node-backpressure', x: 0, y: nodeHeight - 4, width: 0, height: 4 })));
  }
  return svg;
}

/** Writes one operator's live figures into its box (backpressure: a 0..1 ratio or null when unknown). */
export function updateNode(svg, uid, { rateIn, rateOut, watermark, backpressure }) {
  const node = svg.querySelector(`.dag-node[data-uid="${CSS.escape(uid)}"]`);
  if (!node) return;
  node.querySelector('.node-rates').textContent = `in ${rateIn} · out ${rateOut}`;
  node.querySelector('.node-watermark').textContent = backpressure === null ? `watermark ${watermark}` : `wm ${watermark} · bp ${Math.round(backpressure * 100)}%`;
  const bar = node.querySelector('.node-backpressure');
  bar.setAttribute('width', backpressure === null ? 0 : Math.round(nodeWidth * Math.min(1, backpressure)));
  node.classList.toggle('backpressured', backpressure !== null && backpressure > 0.5);
}

/**
 * A line chart of the last `capacity` values: push(value) appends one (null for a gap) and redraws; `format` writes a
 * value for the labels.
 */
export class LineChart {
  #values = [];

  constructor(title, format, capacity = 120) {
    this.capacity = capacity;
    this.format = format;
    this.width = 460;
    this.height = 150;
    this.polyline = s('polyline', { class: 'series', points: '' });
    this.maxLabel = s('text', { class: 'axis', x: 4, y: 12 }, '');
    this.current = s('text', { class: 'current', x: this.width - 4, y: 12, 'text-anchor': 'end' }, '–');
    this.element = s('svg', { class: 'chart', viewBox: `0 0 ${this.width} ${this.height}`, width: this.width, height: this.height, role: 'img', 'aria-label': title },
      s('line', { class: 'grid', x1: 0, y1: this.height - 1, x2: this.width, y2: this.height - 1 }),
      s('line', { class: 'grid', x1: 0, y1: 20, x2: this.width, y2: 20 }),
      this.polyline, this.maxLabel, this.current);
  }

  /** The values held, oldest first. */
  get values() { return [...this.#values]; }

  push(value) {
    this.#values.push(value);
    if (this.#values.length > this.capacity) this.#values.shift();
    const known = this.#values.filter(v => v !== null);
    const max = Math.max(1, ...known);
    const step = this.width / (this.capacity - 1);
    const top = 20, bottom = this.height - 2;
    const points = [];
    this.#values.forEach((v, i) => {
      if (v !== null) points.push(`${(i * step).toFixed(1)},${(bottom - ((bottom - top) * v) / max).toFixed(1)}`);
    });
    this.polyline.setAttribute('points', points.join(' '));
    this.maxLabel.textContent = `max ${this.format(max)}`;
    this.current.textContent = value === null ? '–' : this.format(value);
  }
}
