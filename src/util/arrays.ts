// Array helpers safe for inputs of any size: `push(...xs)` and `Math.min(...xs)` pass every element as a call argument and
// overflow the stack beyond ~120,000 elements (V8), so large run files need these loops instead.

/** Appends every element of `items` to `target` (in place) and returns it. */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const x of items) target.push(x);
  return target;
}

/** The smallest value (Infinity for none). */
export function minOf(xs: Iterable<number>): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

/** The largest value (-Infinity for none). */
export function maxOf(xs: Iterable<number>): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}
