// Mastodon's OAuth scopes: the top-level ones (`read`, `write`, `follow`, `push`, `profile`) and
// their granular forms (`read:statuses`, `admin:write:accounts`…). Apps ask for any combination;
// refusing a superset of `read write follow push` is one of the things that breaks them (INTEROP §4).

const SCOPE =
  /^(?:(?:read|write|follow|push|profile|crypto)(?::[a-z_]+)?|admin:(?:read|write)(?::[a-z_]+)?)$/;

/** The scopes of a `scope`/`scopes` parameter (space- or plus-separated); null when one is unknown. */
export function parseScopes(value: unknown, fallback: readonly string[]): string[] | null {
  const raw = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
  const scopes = [...new Set(raw.split(/[\s+]+/).filter(Boolean))];
  if (scopes.length === 0) return [...fallback];
  return scopes.every((s) => SCOPE.test(s)) ? scopes : null;
}

/** Whether `granted` covers `scope` (`read` covers `read:statuses`; `follow` covers follows either way). */
export function covers(granted: readonly string[], scope: string): boolean {
  if (granted.includes(scope)) return true;
  const parts = scope.split(':');
  for (let i = parts.length - 1; i > 0; i--) if (granted.includes(parts.slice(0, i).join(':'))) return true;
  return false;
}

/** Whether every one of `requested` is within `allowed`. */
export const within = (requested: readonly string[], allowed: readonly string[]): boolean =>
  requested.every((s) => covers(allowed, s));
