/**
 * Sets `key` on `target` as a plain own data property. Unlike `target[key] = v`,
 * a user-supplied key such as `__proto__` stays an ordinary key and never
 * reaches a prototype.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
