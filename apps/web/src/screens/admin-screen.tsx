// For administrators: invites (a code is shown once, with a sign-up link to hand over) and the
// instance's plugins; every member can upload their own sandboxed plugins here too.
import { useState } from 'preact/hooks';
import type { UserRole } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import { CreateInvite, DeletePlugin, Invites, Plugins, UploadPlugin } from '../api/operations';
import { useQuery } from '../api/use-query';
import { fullDate } from '../format';
import { useId } from '../pipeline/fields';

function InvitesPanel() {
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

function PluginsPanel() {
  const { data, error, reload } = useQuery(Plugins, {});
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const codeId = useId('code');
  const run = async (work: () => Promise<string>) => {
    setProblem(null);
    setStatus(null);
    try {
      setStatus(await work());
      await reload();
    } catch (e) {
      setProblem(messageOf(e));
    }
  };
  return (
    <section class="card" aria-labelledby="plugins-title">
      <h2 id="plugins-title">Plugins</h2>
      <ul class="plugins">
        {(data?.plugins ?? []).map((p) => (
          <li key={p.id}>
            <strong>{p.name}</strong> {p.version} <code class="small">{p.use}</code>{' '}
            <span class="badge">
              {p.kind === 'TRUSTED'
                ? `installed${p.packageName ? ` (${p.packageName})` : ''}`
                : 'your upload, sandboxed'}
            </span>
            {p.kind === 'SANDBOXED' ? (
              <button
                type="button"
                class="secondary danger"
                onClick={() =>
                  void run(async () => (await request(DeletePlugin, { id: p.id }), `Deleted ${p.name}.`))
                }
              >
                Delete {p.name}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {data && data.plugins.length === 0 ? <p class="muted">No plugins yet.</p> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const { uploadPlugin } = await request(UploadPlugin, { code });
            setCode('');
            return `Uploaded ${uploadPlugin.name} ${uploadPlugin.version}: add it to a pipeline as ${uploadPlugin.use}.`;
          });
        }}
      >
        <label for={codeId}>Upload a plugin (JavaScript calling definePlugin)</label>
        <textarea
          id={codeId}
          rows={6}
          class="code"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          required
        />
        <button type="submit">Upload plugin</button>
      </form>
      {error || problem ? (
        <p class="error" role="alert">
          {error ?? problem}
        </p>
      ) : null}
      {status ? <p role="status">{status}</p> : null}
    </section>
  );
}

export function AdminScreen({ isAdmin }: { isAdmin: boolean }) {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{isAdmin ? 'Administration' : 'Plugins'}</h1>
      {isAdmin ? <InvitesPanel /> : null}
      <PluginsPanel />
    </section>
  );
}
