import { describe, expect, it } from '@jest/globals';
import { ConnectorError } from '@tributary/core';
import { ORIGIN, validStatus } from '../../../testing/src/mastodon/status-fixtures.js';
import { parseAsMasto } from './masto-shape.js';
import { normalizeContext } from './normalize-context.js';

/** The fixtures are wire JSON; the connector hands statuses over as masto parsed them. */
const asMasto = <T>(wire: T): T => parseAsMasto(JSON.stringify(wire)) as T;

const reply = (id: string, to: string) =>
  validStatus(id, { in_reply_to_id: to, content: `<p>reply ${id}</p>` });

describe('normalizeContext', () => {
  it('keeps ancestors in order and works out each reply’s depth and parent from in_reply_to_id', () => {
    const focal = reply('20', '10');
    const thread = normalizeContext(
      asMasto(focal),
      asMasto({
        ancestors: [validStatus('1'), reply('10', '1')],
        descendants: [reply('30', '20'), reply('31', '30'), reply('40', '20')],
      }),
      ORIGIN,
    );
    const uri = (id: string) => `${ORIGIN}/users/alice/statuses/${id}`;
    expect(thread.post.uri).toBe(uri('20'));
    expect(thread.ancestors.map((p) => p.uri)).toEqual([uri('1'), uri('10')]);
    expect(thread.replies.map((r) => [r.post.uri, r.parentUri, r.depth])).toEqual([
      [uri('30'), uri('20'), 1],
      [uri('31'), uri('30'), 2],
      [uri('40'), uri('20'), 1],
    ]);
    expect(thread.skipped).toEqual([]);
  });

  it('skips, with the reason, replies it cannot read or place, and whatever hangs below them', () => {
    const thread = normalizeContext(
      asMasto(validStatus('1')),
      asMasto({
        ancestors: [],
        descendants: [{ id: '2', in_reply_to_id: '1' }, reply('3', '2'), reply('4', '99'), reply('5', '1')],
      }),
      ORIGIN,
    );
    expect(thread.replies.map((r) => r.post.nativeId)).toEqual(['5']);
    expect(thread.skipped).toHaveLength(3);
    expect(thread.skipped[1]!.reason).toBe('reply to a status that is not in the thread');
  });

  it('refuses an answer that is not a context', () => {
    expect(() => normalizeContext(asMasto(validStatus('1')), { error: 'Record not found' }, ORIGIN)).toThrow(
      ConnectorError,
    );
    expect(() => normalizeContext({ id: '1' }, { ancestors: [], descendants: [] }, ORIGIN)).toThrow(
      /unusable status/,
    );
  });
});
