/**
 * Puts `key` last in `map` (a Map iterates in insertion order, so the first key is the least recently
 * used) and drops the first key while the map holds more than `max` entries. O(1).
 */
export function setMostRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}
