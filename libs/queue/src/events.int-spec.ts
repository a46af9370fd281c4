import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { freePort } from '@tributary/testing';
import { EventPublisher } from './events.js';

describe('EventPublisher', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('reports an unreachable Redis through its logger, not as ioredis "Unhandled error event"s', async () => {
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const publisher = new EventPublisher(`redis://127.0.0.1:${await freePort()}`);
    await expect(publisher.publish({ type: 'action', userId: 'u', actionId: 'a' })).rejects.toThrow();
    await publisher.onApplicationShutdown();
    expect(warned).toHaveBeenCalledWith(expect.stringMatching(/^event publisher: .*ECONNREFUSED/));
    expect(printed.mock.calls.filter(([first]) => String(first).includes('[ioredis]'))).toEqual([]);
  });
});
