// For administrators: who is on the instance and how their linked accounts are doing (an account
// the network refused, or a source that stopped syncing, is why someone's timeline went quiet),
// suspending and reinstating, deleting for good after a confirmation, and inviting new members.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberFieldsFragment } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { DeleteMember, Members, SuspendMember } from '../api/operations';
import { useQuery } from '../api/use-query';
import { InvitesPanel } from '../components/invites-panel';
import { NETWORK_NAMES, fullDate, timeAgo } from '../format';
import type { Network } from '../gql/graphql';

type SourceHealth = MemberFieldsFragment['syncHealth'][number];

const ACCOUNT_STATUS: Record<string, string> = {
  ACTIVE: 'Active',
  NEEDS_REAUTH: 'Needs sign-in again',
  ERROR: 'Error',
};

interface AccountHealth {
  id: string;
  network: Network;
  handle: string;
  status: string;
  sources: SourceHealth[];
}

/** The health rows are one per source: grouped back into the member's accounts, in their order. */
function byAccount(rows: SourceHealth[]): AccountHealth[] {
  const accounts = new Map<string, AccountHealth>();
  for (const row of rows) {
    const account = accounts.get(row.accountId) ?? {
      id: row.accountId,
      network: row.network as Network,
      handle: row.handle,
      status: row.accountStatus,
      sources: [],
    };
    account.sources.push(row);
    accounts.set(row.accountId, account);
  }
  return [...accounts.values()];
}

function sourceName(source: SourceHealth): string {
  return source.kind === 'HOME' ? 'home timeline' : `${source.kind.toLowerCase()} ${source.externalId}`;
}

function MemberAccounts({ member }: { member: MemberFieldsFragment }) {
  if (member.linkedAccounts === 0) return <p class="muted small">No linked account.</p>;
  return (
    <ul class="member-accounts" aria-label={`${member.username}'s linked accounts`}>
      {byAccount(member.syncHealth).map((account) => {
        const stale = account.sources.filter((s) => s.stale && account.status === 'ACTIVE');
        return (
          <li key={account.id} data-status={account.status}>
            <span>
              {NETWORK_NAMES[account.network] ?? account.network} · {account.handle}
            </span>{' '}
            <span class={`badge status-${account.status.toLowerCase()}`}>
              {ACCOUNT_STATUS[account.status] ?? account.status}
            </span>
            {account.status !== 'ACTIVE' && account.sources[0]?.reason ? (
              <span class="muted small"> {account.sources[0].reason}</span>
            ) : null}
            {stale.length > 0 ? (
              <ul class="stale-sources">
                {stale.map((s) => (
                  <li key={s.sourceId} class="small">
                    {sourceName(s)}: <span class="muted">{s.reason ?? 'not synced lately'}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** Deleting asks once more, in the page (focus moves to it), naming who and what goes. */
function ConfirmDelete({
  member,
  onConfirm,
  onCancel,
}: {
  member: MemberFieldsFragment;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div class="notice confirm" role="group" aria-label={`Confirm deleting ${member.username}`}>
      <p>
        <strong>Delete {member.username} for good?</strong> Their account, linked accounts, pipelines and
        timelines are erased; this cannot be undone. Suspending keeps everything and can be reversed.
      </p>
      <div class="row">
        <button type="button" class="danger-solid" onClick={onConfirm}>
          Delete {member.username} for good
        </button>
        <button type="button" class="secondary" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function MemberCard({
  member,
  isMe,
  onChanged,
  onDeleted,
}: {
  member: MemberFieldsFragment;
  isMe: boolean;
  onChanged: (member: MemberFieldsFragment) => void;
  onDeleted: (member: MemberFieldsFragment) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suspended = member.status === 'SUSPENDED';
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const setSuspended = (value: boolean) =>
    run(async () => {
      const { suspendMember } = await request(SuspendMember, { member: member.id, suspended: value });
      onChanged(suspendMember);
    });
  const remove = () =>
    run(async () => {
      await request(DeleteMember, { member: member.id });
      onDeleted(member);
    });
  return (
    <li
      class={`card member${suspended ? ' is-suspended' : ''}`}
      data-username={member.username}
      data-status={member.status}
    >
      <div class="row spread">
        <h3>
          {member.username}
          {isMe ? <span class="muted"> (you)</span> : null}
        </h3>
        <span class="row">
          {member.role === 'ADMIN' ? <span class="badge">Administrator</span> : null}
          <span class={`badge member-status status-${suspended ? 'error' : 'active'}`}>
            {suspended ? 'Suspended' : 'Active'}
          </span>
        </span>
      </div>
      <p class="muted small">
        Joined {fullDate(member.createdAt)} ·{' '}
        {member.lastActiveAt ? `last active ${timeAgo(member.lastActiveAt)}` : 'never active'} ·{' '}
        {member.pipelines} {member.pipelines === 1 ? 'pipeline' : 'pipelines'}
        {suspended && member.suspendedAt ? ` · suspended ${fullDate(member.suspendedAt)}` : ''}
      </p>
      <MemberAccounts member={member} />
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {isMe ? null : confirming ? (
        <ConfirmDelete
          member={member}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <div class="row">
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => void setSuspended(!suspended)}
          >
            {suspended ? 'Reinstate' : 'Suspend'} {member.username}
          </button>
          <button type="button" class="secondary danger" disabled={busy} onClick={() => setConfirming(true)}>
            Delete {member.username}…
          </button>
        </div>
      )}
    </li>
  );
}

export function MembersScreen({ isAdmin, myId }: { isAdmin: boolean; myId: string | null }) {
  const { data, error } = useQuery(Members, {});
  const [members, setMembers] = useState<MemberFieldsFragment[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => setMembers(data?.members ?? []), [data]);
  if (!isAdmin) {
    return (
      <section aria-labelledby="members-title">
        <h1 id="members-title">Members</h1>
        <p>Only administrators manage members.</p>
      </section>
    );
  }
  const replace = (changed: MemberFieldsFragment) => {
    setMembers((list) => list.map((m) => (m.id === changed.id ? changed : m)));
    setStatus(
      changed.status === 'SUSPENDED'
        ? `${changed.username} is suspended: their sessions ended and they cannot log in.`
        : `${changed.username} is reinstated and can log in again.`,
    );
  };
  const removed = (gone: MemberFieldsFragment) => {
    setMembers((list) => list.filter((m) => m.id !== gone.id));
    setStatus(`${gone.username} and all their data were deleted.`);
  };
  const suspendedCount = members.filter((m) => m.status === 'SUSPENDED').length;
  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      <InvitesPanel />
      <section aria-labelledby="member-list-title">
        <h2 id="member-list-title">
          {members.length} {members.length === 1 ? 'member' : 'members'}
          {suspendedCount > 0 ? <span class="muted"> ({suspendedCount} suspended)</span> : null}
        </h2>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <p role="status" class="member-news">
          {status ?? ''}
        </p>
        <ul class="members">
          {members.map((member) => (
            <MemberCard
              key={member.id}
              member={member}
              isMe={member.id === myId}
              onChanged={replace}
              onDeleted={removed}
            />
          ))}
        </ul>
      </section>
    </section>
  );
}
