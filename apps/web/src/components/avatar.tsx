import { safeUrl } from '../format';

/** A decorative avatar (the name is always next to it): empty alt, initial as the fallback. */
export function Avatar({ url, name, size = 'md' }: { url: string | null; name: string; size?: 'sm' | 'md' }) {
  const src = safeUrl(url);
  return src ? (
    <img class={`avatar avatar-${size}`} src={src} alt="" loading="lazy" />
  ) : (
    <span class={`avatar avatar-${size} avatar-fallback`} aria-hidden="true">
      {(name.replace(/^@/, '')[0] ?? '?').toUpperCase()}
    </span>
  );
}
