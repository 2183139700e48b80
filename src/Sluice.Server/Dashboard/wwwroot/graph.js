// Graph helpers shared by the pages that draw a DAG left to right (lineage.js, dags.js).

/** Each node's column: one more than the deepest node with an edge into it (cycles stop after as many passes as nodes). */
export function layers(nodes, edges) {
  const depth = new Map(nodes.map(n => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const { from, to } of edges) {
      if (depth.has(from) && depth.has(to) && depth.get(to) < depth.get(from) + 1) {
        depth.set(to, depth.get(from) + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}
