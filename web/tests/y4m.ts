// A video file for Chromium's fake camera (--use-file-for-fake-video-capture):
// still frames of an RGBA image as raw YUV 4:2:0 in a YUV4MPEG2 container,
// written in Node so that no ffmpeg is needed.

/** BT.601 full range ("C420jpeg"): the colour space Chromium reads such files in. */
function yuv(r: number, g: number, b: number): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return [clamp(y), clamp(u), clamp(v)];
}

/** One frame's planes: Y at full size, U and V averaged over 2x2 blocks. */
export function rgbaToI420(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Buffer {
  if (width % 2 || height % 2) throw new Error(`4:2:0 needs even dimensions, got ${width}x${height}`);
  if (rgba.length !== width * height * 4) throw new Error('pixel data does not match the dimensions');
  const cw = width / 2;
  const ch = height / 2;
  const out = Buffer.alloc(width * height + 2 * cw * ch);
  const uPlane = width * height;
  const vPlane = uPlane + cw * ch;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[y * width + x] = yuv(rgba[i], rgba[i + 1], rgba[i + 2])[0];
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let u = 0;
      let v = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = ((2 * y + dy) * width + 2 * x + dx) * 4;
        const [, pu, pv] = yuv(rgba[i], rgba[i + 1], rgba[i + 2]);
        u += pu;
        v += pv;
      }
      out[uPlane + y * cw + x] = Math.round(u / 4);
      out[vPlane + y * cw + x] = Math.round(v / 4);
    }
  }
  return out;
}

/** A y4m file showing the image for `frames` frames at 25 fps (the fake camera loops it). */
export function y4m(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, frames = 25): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F25:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), rgbaToI420(rgba, width, height)]);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}
