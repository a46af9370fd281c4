import { describe, expect, it, jest } from '@jest/globals';
import { EventStream, mapStream } from './event-stream.js';

describe('EventStream', () => {
  it('hands pushed values to readers in order, waiting ones first', async () => {
    const stream = new EventStream<number>(() => {});
    const waiting = stream.next();
    stream.push(1);
    stream.push(2);
    stream.push(3);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    expect(await stream.next()).toEqual({ value: 3, done: false });
  });

  it('keeps only the newest values for a reader that does not read', async () => {
    const stream = new EventStream<number>(() => {}, 3);
    for (let i = 0; i < 10; i++) stream.push(i);
    stream.close();
    // Closing discards what is buffered; read before closing instead.
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    const open = new EventStream<number>(() => {}, 3);
    for (let i = 0; i < 10; i++) open.push(i);
    expect([await open.next(), await open.next(), await open.next()].map((r) => r.value)).toEqual([7, 8, 9]);
  });

  it('return() ends a pending read at once and calls onClose exactly once', async () => {
    const onClose = jest.fn();
    const stream = new EventStream<number>(onClose);
    const pending = stream.next();
    await stream.return();
    await stream.return();
    stream.push(1);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('mapStream', () => {
  it('maps values, skips nulls, and ends its source on return', async () => {
    const onClose = jest.fn();
    const source = new EventStream<number>(onClose);
    const mapped = mapStream(source, async (n) => (n % 2 ? `odd ${n}` : null));
    source.push(2);
    source.push(3);
    expect(await mapped.next()).toEqual({ value: 'odd 3', done: false });
    const pending = mapped.next();
    await mapped.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('ends its source when mapping fails', async () => {
    const onClose = jest.fn();
    const source = new EventStream<number>(onClose);
    const mapped = mapStream(source, async () => {
      throw new Error('database down');
    });
    source.push(1);
    await expect(mapped.next()).rejects.toThrow('database down');
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
