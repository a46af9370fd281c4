// The instance's plugins (installed ones and sandboxed uploads); every member can upload their own
// sandboxed plugins here. Administrators manage members and invites on the Members screen.
import { useState } from 'preact/hooks';
import { messageOf, request } from '../api/client';
import { DeletePlugin, Plugins, UploadPlugin } from '../api/operations';
import { useQuery } from '../api/use-query';
import { useId } from '../pipeline/fields';

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
      <h2 id="plugins-title">Installed and uploaded</h2>
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

export function PluginsScreen() {
  return (
    <section aria-labelledby="plugins-screen-title">
      <h1 id="plugins-screen-title">Plugins</h1>
      <PluginsPanel />
    </section>
  );
}
