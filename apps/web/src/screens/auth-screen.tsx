// Logging in, and signing up with an invite code (a sign-up link carries it: #/signup?invite=…).
import { useState } from 'preact/hooks';
import { messageOf, request } from '../api/client';
import { Login, SignUp } from '../api/operations';
import { session } from '../api/session';
import { href } from '../router';

export function AuthScreen({ mode, invite }: { mode: 'login' | 'signup'; invite: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get('username')).trim();
    const password = String(form.get('password'));
    setError(null);
    if (mode === 'signup' && password !== form.get('confirm')) return setError('The two passwords differ.');
    setBusy(true);
    try {
      const token =
        mode === 'login'
          ? (await request(Login, { username, password })).login.token
          : (await request(SignUp, { invite: String(form.get('invite')).trim(), username, password })).signUp
              .token;
      session.set(token);
      location.hash = mode === 'signup' ? href('accounts') : href('timeline');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="auth" aria-labelledby="auth-title">
      <form class="card" id={mode} onSubmit={submit}>
        <h1 id="auth-title">{mode === 'login' ? 'Log in' : 'Create your account'}</h1>
        {mode === 'signup' ? (
          <label>
            Invite code
            <input name="invite" required defaultValue={invite} autocomplete="off" />
          </label>
        ) : null}
        <label>
          Username
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'signup' ? 10 : undefined}
          />
        </label>
        {mode === 'signup' ? (
          <label>
            Password again
            <input name="confirm" type="password" autocomplete="new-password" required />
          </label>
        ) : null}
        <p class="error" role="alert" id="auth-error">
          {error ?? ''}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'One moment…' : mode === 'login' ? 'Log in' : 'Sign up'}
        </button>
        <p class="muted">
          {mode === 'login' ? (
            <>
              Have an invite? <a href={href('signup')}>Sign up</a>
            </>
          ) : (
            <>
              Already have an account? <a href={href('login')}>Log in</a>
            </>
          )}
        </p>
      </form>
    </section>
  );
}
