import { describe, expect, it } from '@jest/globals';
import { imageInfo } from './image-info.js';

/** A 4×3 PNG (what the actions and web tests post). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==',
  'base64',
);

describe('imageInfo', () => {
  it('reads a PNG', () => {
    expect(imageInfo(PNG)).toEqual({ mimeType: 'image/png', width: 4, height: 3 });
  });

  it('reads a GIF', () => {
    const gif = Buffer.from('GIF89a\x05\x00\x02\x00\x80\x00\x00', 'latin1');
    expect(imageInfo(gif)).toEqual({ mimeType: 'image/gif', width: 5, height: 2 });
  });

  it('reads a JPEG frame header past other segments', () => {
    const jpeg = Buffer.from([
      0xff,
      0xd8,
      0xff,
      0xe0,
      0x00,
      0x04,
      0x4a,
      0x46, // APP0, 2 bytes of payload
      0xff,
      0xc0,
      0x00,
      0x11,
      0x08,
      0x00,
      0x20,
      0x00,
      0x40,
      0x03, // SOF0: 8 bits, 32 high, 64 wide
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(imageInfo(jpeg)).toEqual({ mimeType: 'image/jpeg', width: 64, height: 32 });
  });

  it('reads a lossless WebP', () => {
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8L', 8, 'latin1');
    webp.writeUInt32LE((10 - 1) | ((7 - 1) << 14), 21);
    expect(imageInfo(webp)).toEqual({ mimeType: 'image/webp', width: 10, height: 7 });
  });

  it('knows no other file, whatever its name says', () => {
    expect(imageInfo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(imageInfo(Buffer.from('%PDF-1.7'))).toBeNull();
    expect(imageInfo(new Uint8Array(0))).toBeNull();
  });
});
