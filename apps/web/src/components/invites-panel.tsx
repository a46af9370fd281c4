// Invites, for administrators: a code is shown once, with a sign-up link to hand over; the list
// says which are open, used or expired.
import { useState } from 'preact/hooks';
import type { UserRole } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { CreateInvite, Invites } from '../api/operations';
import { useQuery } from '../api/use-query';
import { fullDate } from '../format';
import { useId } from '../pipeline/fields';

export function InvitesPanel() {
  const { data, error, reload } = useQuery(Invites, {});
  const [created, setCreated] = useState<{ code: string; link: string } | null>(null);
  const [role, setRole] = useState<UserRole>('MEMBER');
  const [problem, setProblem] = useState<string | null>(null);
  const roleId = useId('role');
  const create = async () => {
    setProblem(null);
    try {
      const { createInvite } = await request(CreateInvite, { role });
      setCreated({
        code: createInvite.code,
        link: `${location.origin}/#/signup?invite=${encodeURIComponent(createInvite.code)}`,
      });
      await reload();
    } catch (e) {
      setProblem(messageOf(e));
    }
  };
  const now = Date.now();
  return (
    <section class="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Invites</h2>
      <div class="row">
        <label for={roleId}>Role</label>
        <select id={roleId} value={role} onChange={(e) => setRole(e.currentTarget.value as UserRole)}>
          <option value="MEMBER">Member</option>
          <option value="ADMIN">Administrator</option>
        </select>
        <button type="button" onClick={() => void create()}>
          Create an invite
        </button>
      </div>
      {created ? (
        <div class="notice" role="status">
          <p>
            Invite code (shown once): <code class="invite-code">{created.code}</code>
          </p>
          <p>
            Sign-up link: <a href={created.link}>{created.link}</a>
          </p>
        </div>
      ) : null}
      {error || problem ? (
        <p class="error" role="alert">
          {error ?? problem}
        </p>
      ) : null}
      <table>
        <caption class="visually-hidden">Invites</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(data?.invites ?? []).map((invite) => (
            <tr key={invite.id}>
              <td>{fullDate(invite.createdAt)}</td>
              <td>{invite.role === 'ADMIN' ? 'Administrator' : 'Member'}</td>
              <td>
                {invite.usedAt
                  ? `used ${fullDate(invite.usedAt)}`
                  : Date.parse(invite.expiresAt) < now
                    ? 'expired'
                    : `open until ${fullDate(invite.expiresAt)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
