import { useState } from 'preact/hooks';
import { safeUrl } from '../format';

/**
 * A decorative avatar (the name is always next to it): empty alt, and the name's initial when there
 * is no picture or it does not load.
 */
export function Avatar({
  url,
  name,
  size = 'md',
}: {
  url: string | null;
  name: string;
  size?: 'sm' | 'md' | 'lg';
}) {
  const src = safeUrl(url);
  const [failed, setFailed] = useState(false);
  return src && !failed ? (
    <img class={`avatar avatar-${size}`} src={src} alt="" loading="lazy" onError={() => setFailed(true)} />
  ) : (
    <span class={`avatar avatar-${size} avatar-fallback`} aria-hidden="true">
      {(name.replace(/^@/, '')[0] ?? '?').toUpperCase()}
    </span>
  );
}
