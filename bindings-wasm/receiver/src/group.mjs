// Node 20 has no Map.groupBy.

/** `items` by `key(item)`, each group in the items' order (a Map, in the order keys first appear). */
export function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
