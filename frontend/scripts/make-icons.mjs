// Writes the app icons (192 and 512 px, "any" and "maskable") as real PNGs into
// public/icons/, using only Node's own zlib: nothing to download, same bytes every build.
// The picture: a sun (vitamin D) over a calm wave (a relaxed muscle) on the theme colour.
import { deflateSync } from "node:zlib";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");
const BG = [0x1f, 0x6f, 0x5c];
const SUN = [0xf6, 0xc1, 0x43];
const WAVE = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// Colour of one point in unit coordinates (0..1), or null for transparent.
function shade(x, y, maskable) {
  if (!maskable) {
    // Rounded square for the plain icon.
    const r = 0.2;
    const dx = Math.max(r - x, 0, x - (1 - r));
    const dy = Math.max(r - y, 0, y - (1 - r));
    if (dx * dx + dy * dy > r * r) return null;
  }
  // Maskable icons keep their drawing inside the central 80% safe zone.
  const k = maskable ? 0.72 : 0.9;
  const u = (x - 0.5) / k + 0.5;
  const v = (y - 0.5) / k + 0.5;
  const wave = 0.7 + 0.05 * Math.sin(u * Math.PI * 4);
  if (v > wave - 0.035 && v < wave + 0.035 && u > 0.14 && u < 0.86) return WAVE;
  const dx = u - 0.5;
  const dy = v - 0.42;
  const d = Math.hypot(dx, dy);
  if (d < 0.17) return SUN;
  const angle = Math.atan2(dy, dx);
  const ray = Math.abs(Math.sin(angle * 4)) > 0.93;
  if (ray && d > 0.21 && d < 0.3) return SUN;
  return BG;
}

function draw(size, maskable) {
  const samples = 4; // 4x4 supersampling for smooth edges
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size, maskable);
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
        }
      }
      const i = (py * size + px) * 4;
      const n = samples * samples;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / n) * 255);
    }
  }
  return png(size, out);
}

mkdirSync(OUT, { recursive: true });
for (const size of [192, 512]) {
  writeFileSync(join(OUT, `icon-${size}.png`), draw(size, false));
  writeFileSync(join(OUT, `maskable-${size}.png`), draw(size, true));
}
writeFileSync(join(OUT, "apple-touch-icon.png"), draw(180, true));
console.log(`icons written to ${OUT}`);
