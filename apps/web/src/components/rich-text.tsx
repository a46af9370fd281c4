import type { RichTextSegmentType } from '../gql/graphql';
import { safeUrl } from '../format';
import { href } from '../router';

interface Segment {
  type: RichTextSegmentType;
  text: string;
  url: string | null;
  tag: string | null;
  handle: string | null;
  networkId: string | null;
}

/**
 * A post's text from its segments: links, mentions and hashtags as links, line breaks kept. Only text
 * nodes and attributes: nothing from a network is parsed as HTML.
 */
export function RichText({ segments, text, own }: { segments: Segment[]; text: string; own?: boolean }) {
  const className = own ? 'post-text own-text' : 'post-text';
  if (segments.length === 0) return <p class={className}>{text}</p>;
  return (
    <p class={className}>
      {segments.map((segment, i) => {
        switch (segment.type) {
          case 'LINEBREAK':
            return <br key={i} />;
          case 'LINK': {
            const href = safeUrl(segment.url);
            return href ? (
              <a key={i} href={href} rel="noopener noreferrer nofollow" target="_blank">
                {segment.text}
              </a>
            ) : (
              segment.text
            );
          }
          case 'MENTION': {
            // Their profile in the app, by handle (a Mastodon mention's networkId is its web page).
            const actor = segment.handle ?? segment.networkId;
            return actor ? (
              <a key={i} class="mention" href={href('profile', actor)}>
                {segment.text}
              </a>
            ) : (
              <span key={i} class="mention">
                {segment.text}
              </span>
            );
          }
          case 'HASHTAG':
            return (
              <span key={i} class="hashtag">
                {segment.text}
              </span>
            );
          default:
            return segment.text;
        }
      })}
    </p>
  );
}
