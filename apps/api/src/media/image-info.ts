// What an uploaded file is, from its first bytes rather than from what the client said: the four
// image types both networks take, with the image's size where the header holds it.

export interface ImageInfo {
  mimeType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  /** Pixels; null when the header does not say (a damaged file, or a JPEG without a frame header). */
  width: number | null;
  height: number | null;
}

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

const size = (width: number, height: number) =>
  width > 0 && height > 0 ? { width, height } : { width: null, height: null };

/** The image `bytes` hold, or null for anything else. */
export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) {
    // The IHDR chunk comes first: width and height, big-endian.
    const ok = bytes.length >= 24 && ascii(bytes, 12, 'IHDR');
    return { mimeType: 'image/png', ...(ok ? size(view.getUint32(16), view.getUint32(20)) : size(0, 0)) };
  }
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) {
    const ok = bytes.length >= 10;
    return {
      mimeType: 'image/gif',
      ...(ok ? size(view.getUint16(6, true), view.getUint16(8, true)) : size(0, 0)),
    };
  }
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP'))
    return { mimeType: 'image/webp', ...webpSize(bytes, view) };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { mimeType: 'image/jpeg', ...jpegSize(bytes, view) };
  return null;
}

function webpSize(bytes: Uint8Array, view: DataView) {
  if (bytes.length < 30) return size(0, 0);
  if (ascii(bytes, 12, 'VP8X'))
    return size(1 + (view.getUint32(24, true) & 0xffffff), 1 + (view.getUint32(27, true) & 0xffffff));
  if (ascii(bytes, 12, 'VP8 '))
    return size(view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
  if (ascii(bytes, 12, 'VP8L')) {
    const bits = view.getUint32(21, true);
    return size(1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff));
  }
  return size(0, 0);
}

/** The first start-of-frame marker's size, found by walking the segments from the start. */
function jpegSize(bytes: Uint8Array, view: DataView) {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return size(0, 0);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return size(view.getUint16(at + 7), view.getUint16(at + 5));
    at += 2 + view.getUint16(at + 2);
  }
  return size(0, 0);
}
