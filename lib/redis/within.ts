/**
 * `command`, or a rejection once `timeoutMs` passed: ioredis queues commands while it reconnects,
 * and without a bound a Redis outage would hold every caller until the client gave up.
 */
export function within<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis store: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
  });
  return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
}
