// The community's Bluesky follow graph, in memory in the stream leader, and the fan-out decision
// for one stream event: which of the members' sources a post or repost belongs in, the way the
// AppView builds them (reference AppView, @atproto/bsky): a HOME timeline holds every post and
// repost by the accounts the member follows and by the member, replies included (getTimeline has
// no reply rule: "replies only to people you follow" is the official app's client-side
// preference, a pipeline matter here); an AUTHOR feed (posts_with_replies) the author's posts and
// reposts; a LIST feed its members' posts, no reposts. As the AppView does, a member's HOME gets
// nothing of an account the member blocks: neither its posts and reposts nor reposts of its posts.
import type { RepoEvent } from '@tributary/connector-bluesky';

const POST = 'app.bsky.feed.post';
const REPOST = 'app.bsky.feed.repost';
const FOLLOW = 'app.bsky.graph.follow';
const LIST_ITEM = 'app.bsky.graph.listitem';
const BLOCK = 'app.bsky.graph.block';
const POST_URI = /^at:\/\/did:[a-z0-9]+:[a-zA-Z0-9._:%-]+\/app\.bsky\.feed\.post\/[a-zA-Z0-9._:~-]+$/;

/** The collections the fan-out needs from the stream. */
export const FANOUT_COLLECTIONS = [POST, REPOST, FOLLOW, LIST_ITEM, BLOCK] as const;

/** Who reposted, when: the stream's word, hydrated into a RepostReason later. */
export interface RepostRef {
  by: string;
  uri: string;
  at: string;
}

/** A post's record as the stream carried it: the post can be stored from it before the AppView has it. */
export interface StreamRecord {
  cid: string;
  value: Record<string, unknown>;
  /** When the stream saw it (ISO-8601). */
  at: string;
}

/** A member came to follow `subject` (`following`), or stopped: the first or the last follow record of it. */
export interface FollowEffect {
  member: string;
  subject: string;
  following: boolean;
}

export type FanoutDecision =
  /**
   * A post (the repost's subject for a repost) for these sources; `reason` when a repost brought it;
   * `record` for a new post whose event carried it.
   */
  | { type: 'attach'; uri: string; reason: RepostRef | null; sourceIds: string[]; record?: StreamRecord }
  /** A post or repost record deleted by a repo the community watches. */
  | { type: 'delete'; collection: typeof POST | typeof REPOST; uri: string; did: string }
  | { type: 'follow'; member: string; rkey: string; subject: string }
  | { type: 'unfollow'; member: string; rkey: string }
  | { type: 'block'; member: string; rkey: string; subject: string }
  | { type: 'unblock'; member: string; rkey: string }
  /** A member edited a list: list sources' members are read again. */
  | { type: 'lists-changed'; member: string };

export class FollowGraph {
  /** Member DID -> HOME source ids (one per user who linked the account). */
  private readonly homes = new Map<string, string[]>();
  /** Member DID -> follow record key -> followed DID. */
  private readonly follows = new Map<string, Map<string, string>>();
  /** Followed DID -> member DID -> follow records (one normally; a repo may hold duplicates). */
  private readonly followers = new Map<string, Map<string, number>>();
  /** Member DID -> block record key -> blocked DID; member DID -> blocked DID -> block records. */
  private readonly blocks = new Map<string, Map<string, string>>();
  private readonly blocked = new Map<string, Map<string, number>>();
  /** Author DID -> AUTHOR source ids; list member DID -> LIST source ids. */
  private readonly authorSources = new Map<string, Set<string>>();
  private readonly listSources = new Map<string, Set<string>>();
  /** LIST source id -> its members, to replace them. */
  private readonly lists = new Map<string, Set<string>>();
  /** Owners of the Bluesky lists subscribed as filter lists: their list items are watched. */
  private filterListOwners: ReadonlySet<string> = new Set();
  /** Bumped when the watched DIDs may have changed (the stream's filter is then sent again). */
  version = 0;

  setHomes(member: string, sourceIds: readonly string[]): void {
    const had = this.homes.has(member);
    if (sourceIds.length === 0) this.homes.delete(member);
    else this.homes.set(member, [...sourceIds]);
    if (had !== this.homes.has(member)) this.version++;
  }

  isMember(did: string): boolean {
    return this.homes.has(did);
  }

  /** Replaces a member's follows (a load or reconciliation): record key -> followed DID. */
  setFollows(member: string, records: ReadonlyMap<string, string>): void {
    for (const [rkey] of this.follows.get(member) ?? []) this.removeFollow(member, rkey);
    for (const [rkey, subject] of records) this.addFollow(member, rkey, subject);
    if (records.size === 0) this.follows.set(member, new Map());
  }

  /** Whom the member came to follow, or stopped following, since it followed `before`. */
  changesSince(member: string, before: ReadonlySet<string>): FollowEffect[] {
    const after = new Set(this.followsOf(member));
    return [
      ...[...before].filter((d) => !after.has(d)).map((subject) => ({ member, subject, following: false })),
      ...[...after].filter((d) => !before.has(d)).map((subject) => ({ member, subject, following: true })),
    ];
  }

  /** The member's HOME source ids. */
  homesOf(member: string): string[] {
    return this.homes.get(member) ?? [];
  }

  /** The DIDs `member` follows (empty until loaded). */
  followsOf(member: string): string[] {
    return [...new Set(this.follows.get(member)?.values() ?? [])];
  }

  hasFollowsOf(member: string): boolean {
    return this.follows.has(member);
  }

  /** Replaces a member's blocks (a load or reconciliation): record key -> blocked DID. */
  setBlocks(member: string, records: ReadonlyMap<string, string>): void {
    this.blocks.delete(member);
    this.blocked.delete(member);
    for (const [rkey, subject] of records) this.addBlock(member, rkey, subject);
  }

  /** True when `member` blocks `did`. */
  isBlocking(member: string, did: string): boolean {
    return this.blocked.get(member)?.has(did) ?? false;
  }

  private addBlock(member: string, rkey: string, subject: string): void {
    let records = this.blocks.get(member);
    if (!records) this.blocks.set(member, (records = new Map()));
    if (records.get(rkey) === subject) return;
    if (records.has(rkey)) this.removeBlock(member, rkey);
    records.set(rkey, subject);
    let subjects = this.blocked.get(member);
    if (!subjects) this.blocked.set(member, (subjects = new Map()));
    subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
  }

  private removeBlock(member: string, rkey: string): void {
    const subject = this.blocks.get(member)?.get(rkey);
    if (subject === undefined) return;
    this.blocks.get(member)!.delete(rkey);
    const subjects = this.blocked.get(member)!;
    const left = (subjects.get(subject) ?? 1) - 1;
    if (left > 0) subjects.set(subject, left);
    else subjects.delete(subject);
  }

  removeMember(member: string): void {
    for (const [rkey] of this.follows.get(member) ?? []) this.removeFollow(member, rkey);
    this.follows.delete(member);
    this.blocks.delete(member);
    this.blocked.delete(member);
    this.homes.delete(member);
    this.version++;
  }

  /** True when this record made the member follow `subject` (its first follow record of it). */
  addFollow(member: string, rkey: string, subject: string): boolean {
    let records = this.follows.get(member);
    if (!records) this.follows.set(member, (records = new Map()));
    if (records.get(rkey) === subject) return false;
    if (records.has(rkey)) this.removeFollow(member, rkey);
    records.set(rkey, subject);
    let members = this.followers.get(subject);
    if (!members) this.followers.set(subject, (members = new Map()));
    const had = members.get(member) ?? 0;
    members.set(member, had + 1);
    this.version++;
    return had === 0;
  }

  /** The followed DID when this was the member's last follow record of it (it no longer follows), else null. */
  removeFollow(member: string, rkey: string): string | null {
    const records = this.follows.get(member);
    const subject = records?.get(rkey);
    if (!records || subject === undefined) return null;
    records.delete(rkey);
    const members = this.followers.get(subject);
    const left = (members?.get(member) ?? 1) - 1;
    if (left > 0) members?.set(member, left);
    else members?.delete(member);
    if (members?.size === 0) this.followers.delete(subject);
    this.version++;
    return left > 0 ? null : subject;
  }

  /** True when `member` follows `did` (or is `did`): its HOME gets `did`'s posts. */
  isFollowing(member: string, did: string): boolean {
    return member === did || (this.followers.get(did)?.has(member) ?? false);
  }

  setAuthorSources(byAuthor: ReadonlyMap<string, ReadonlySet<string>>): void {
    const same =
      byAuthor.size === this.authorSources.size &&
      [...byAuthor.keys()].every((d) => this.authorSources.has(d));
    this.authorSources.clear();
    for (const [did, ids] of byAuthor) this.authorSources.set(did, new Set(ids));
    if (!same) this.version++;
  }

  /** Replaces the owners of subscribed Bluesky filter lists (BlueskyListWatch). */
  setFilterListOwners(dids: ReadonlySet<string>): void {
    const same =
      dids.size === this.filterListOwners.size && [...dids].every((d) => this.filterListOwners.has(d));
    this.filterListOwners = new Set(dids);
    if (!same) this.version++;
  }

  /** Replaces one LIST source's members (null: the source is gone). */
  setListMembers(sourceId: string, members: Iterable<string> | null): void {
    const before = this.lists.get(sourceId);
    const next = members === null ? null : new Set(members);
    if (!before && !next) return;
    if (before && next && before.size === next.size && [...next].every((d) => before.has(d))) return;
    for (const did of this.lists.get(sourceId) ?? []) {
      const ids = this.listSources.get(did);
      ids?.delete(sourceId);
      if (ids?.size === 0) this.listSources.delete(did);
    }
    this.lists.delete(sourceId);
    if (next) {
      this.lists.set(sourceId, next);
      for (const did of next) {
        let ids = this.listSources.get(did);
        if (!ids) this.listSources.set(did, (ids = new Set()));
        ids.add(sourceId);
      }
    }
    this.version++;
  }

  listSourceIds(): string[] {
    return [...this.lists.keys()];
  }

  /**
   * Every repo whose events matter: members, whom they follow, watched authors, list members, the
   * owners of subscribed filter lists.
   */
  wantedDids(): string[] {
    const dids = new Set<string>([...this.homes.keys(), ...this.followers.keys()]);
    for (const did of this.authorSources.keys()) dids.add(did);
    for (const did of this.listSources.keys()) dids.add(did);
    for (const did of this.filterListOwners) dids.add(did);
    return [...dids];
  }

  /** What one stream event means for the community; null for everything it does not watch. */
  decide(event: RepoEvent): FanoutDecision | null {
    const { collection, did } = event;
    if (collection === POST || collection === REPOST) {
      if (event.action === 'delete')
        return this.watches(did) ? { type: 'delete', collection, uri: event.uri, did } : null;
      if (event.action !== 'create') return null; // posts are not edited; an update changes nothing here
      if (collection === POST) {
        const sourceIds = this.sourcesFor(did, true);
        if (sourceIds.length === 0) return null;
        const { record, cid } = event;
        return record && cid
          ? {
              type: 'attach',
              uri: event.uri,
              reason: null,
              sourceIds,
              record: { cid, value: record, at: event.time },
            }
          : { type: 'attach', uri: event.uri, reason: null, sourceIds };
      }
      const subject = (event.record?.subject as { uri?: unknown } | undefined)?.uri;
      if (typeof subject !== 'string' || !POST_URI.test(subject)) return null;
      const sourceIds = this.sourcesFor(did, false, subject.slice('at://'.length).split('/')[0]);
      return sourceIds.length > 0
        ? { type: 'attach', uri: subject, reason: { by: did, uri: event.uri, at: event.time }, sourceIds }
        : null;
    }
    if (!this.homes.has(did)) return null;
    if (collection === FOLLOW) {
      if (event.action === 'delete') return { type: 'unfollow', member: did, rkey: event.rkey };
      const subject = event.record?.subject;
      if (event.action !== 'create' || typeof subject !== 'string' || !subject.startsWith('did:'))
        return null;
      return { type: 'follow', member: did, rkey: event.rkey, subject };
    }
    if (collection === LIST_ITEM) return { type: 'lists-changed', member: did };
    if (collection === BLOCK) {
      if (event.action === 'delete') return { type: 'unblock', member: did, rkey: event.rkey };
      const subject = event.record?.subject;
      if (event.action !== 'create' || typeof subject !== 'string' || !subject.startsWith('did:'))
        return null;
      return { type: 'block', member: did, rkey: event.rkey, subject };
    }
    return null;
  }

  /**
   * Applies a change of a member's follows or blocks; for a follow or an unfollow, what it changed
   * in whom the member follows, if anything.
   */
  apply(
    decision: Extract<FanoutDecision, { type: 'follow' | 'unfollow' | 'block' | 'unblock' }>,
  ): FollowEffect | null {
    const { member } = decision;
    if (decision.type === 'follow') {
      const { subject } = decision;
      return this.addFollow(member, decision.rkey, subject) ? { member, subject, following: true } : null;
    }
    if (decision.type === 'unfollow') {
      const subject = this.removeFollow(member, decision.rkey);
      return subject === null ? null : { member, subject, following: false };
    }
    if (decision.type === 'block') this.addBlock(member, decision.rkey, decision.subject);
    else this.removeBlock(member, decision.rkey);
    return null;
  }

  private watches(did: string): boolean {
    return (
      this.homes.has(did) ||
      this.followers.has(did) ||
      this.authorSources.has(did) ||
      this.listSources.has(did)
    );
  }

  /**
   * Sources that get `did`'s posts (`post`) or reposts (of `subjectAuthor`'s post): HOME of followers
   * and self, but not of members blocking either; AUTHOR; LIST for posts.
   */
  private sourcesFor(did: string, post: boolean, subjectAuthor?: string): string[] {
    const out: string[] = [];
    const own = this.homes.get(did);
    if (own && !(subjectAuthor !== undefined && this.isBlocking(did, subjectAuthor))) out.push(...own);
    const members = this.followers.get(did);
    if (members) {
      for (const member of members.keys()) {
        if (member === did || this.isBlocking(member, did)) continue;
        if (subjectAuthor !== undefined && this.isBlocking(member, subjectAuthor)) continue;
        const ids = this.homes.get(member);
        if (ids) for (const id of ids) out.push(id);
      }
    }
    const authors = this.authorSources.get(did);
    if (authors) out.push(...authors);
    const lists = post ? this.listSources.get(did) : undefined;
    if (lists) out.push(...lists);
    return out;
  }
}
