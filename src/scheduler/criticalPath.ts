import type { TaskSpec } from '../domain/task.js';

/** A task's own weight: its estimate in minutes, or 1 when it has none. */
export function taskWeight(task: TaskSpec): number {
  return task.estimateMin ?? 1;
}

/**
 * For each task, the heaviest chain that starts at it and runs through its
 * transitive dependents, itself included: the work that must still happen
 * in sequence once it starts. Pure, O(V + E). The DAG is validated elsewhere;
 * a cycle or a duplicate id here is a programming error and throws.
 * Dependencies on ids not in `dag` add no edge.
 * @example
 * criticalPathWeights([{ id: 'a', dependsOn: [], scope: [] }, { id: 'b', dependsOn: ['a'], scope: [] }]); // a → 2, b → 1
 */
export function criticalPathWeights(dag: readonly TaskSpec[]): Map<string, number> {
  const byId = new Map<string, TaskSpec>();
  for (const task of dag) {
    if (byId.has(task.id)) throw new Error(`criticalPathWeights: duplicate task id "${task.id}"`);
    byId.set(task.id, task);
  }
  const dependents = new Map<string, string[]>();
  for (const task of dag) {
    for (const dep of task.dependsOn) {
      if (!byId.has(dep)) continue;
      const list = dependents.get(dep);
      if (list) list.push(task.id);
      else dependents.set(dep, [task.id]);
    }
  }

  const weights = new Map<string, number>();
  const onPath = new Set<string>();
  // Iterative post-order DFS along dependent edges; `next` indexes the child to visit.
  for (const root of dag) {
    if (weights.has(root.id)) continue;
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    onPath.add(root.id);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; next: number };
      const children = dependents.get(frame.id) ?? [];
      const child = children[frame.next];
      if (child !== undefined) {
        frame.next += 1;
        if (weights.has(child)) continue;
        if (onPath.has(child)) throw new Error(describeCycle(stack, child));
        onPath.add(child);
        stack.push({ id: child, next: 0 });
        continue;
      }
      let longest = 0;
      for (const c of children) longest = Math.max(longest, weights.get(c) ?? 0);
      weights.set(frame.id, taskWeight(byId.get(frame.id) as TaskSpec) + longest);
      onPath.delete(frame.id);
      stack.pop();
    }
  }
  return weights;
}

/** Names the cycle closed by the edge from the top of `stack` back to `repeated`, in dependency order. */
function describeCycle(stack: readonly { id: string }[], repeated: string): string {
  const ids = stack.map((frame) => frame.id);
  // The stack follows "is depended on by" edges; reverse it to read "depends on".
  const cycle = ids.slice(ids.indexOf(repeated)).reverse();
  return `dependency cycle: ${[...cycle, cycle[0] ?? repeated].join(' -> ')} (each depends on the next)`;
}
