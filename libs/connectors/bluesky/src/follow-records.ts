// A member's follow records, read from their own repo (`com.atproto.repo.listRecords` on their
// PDS, the authority on it; no AppView lag): the follow graph needs each record's key, because
// the stream's delete of a follow names only the key.
import type { BlueskyApiSession } from './api-session.js';

const PAGE = 100;
const FOLLOW = 'app.bsky.graph.follow';

/**
 * Record key -> subject DID, for every follow record of the session's account (or, with
 * `collection` 'app.bsky.graph.block', every block record: they have the same shape).
 */
export async function listFollowRecords(
  session: BlueskyApiSession,
  collection: typeof FOLLOW | 'app.bsky.graph.block' = FOLLOW,
): Promise<Map<string, string>> {
  const repo = session.did;
  const follows = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await session.call('listRecords', async (agent) => {
      const { data } = await agent.com.atproto.repo.listRecords({
        repo,
        collection,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      return data;
    });
    for (const { uri, value } of page.records) {
      const subject = (value as { subject?: unknown }).subject;
      const rkey = uri.split('/').pop();
      if (rkey && typeof subject === 'string' && subject.startsWith('did:')) follows.set(rkey, subject);
    }
    cursor = page.records.length > 0 ? page.cursor : undefined;
  } while (cursor);
  return follows;
}
