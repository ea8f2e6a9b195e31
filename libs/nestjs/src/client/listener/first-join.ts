import type { Consumer } from '@tributary/client';

/**
 * Resolves true once the consumer's first group generation begins, or false after timeoutMs.
 * Starting an application waits for it, so records sent once `app.init()` returned are not
 * missed by a group that starts from 'latest' while it is still joining.
 */
export function firstJoin(consumer: Consumer, timeoutMs: number): { joined: Promise<boolean> } {
  let off: () => void = () => undefined;
  const joined = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, timeoutMs);
    off = consumer.on('group.join', () => {
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });
  return { joined };
}
