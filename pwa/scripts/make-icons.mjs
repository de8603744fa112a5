// Draws Doorstep's app icons (an arched door above a step) as PNG and SVG into public/icons/.
// Run with `npm run icons` after changing the drawing; the outputs are committed, not built.
import { mkdirSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const OUT_DIR = new URL("../public/icons/", import.meta.url);
const BRAND = [0x0b, 0x5d, 0x4b]; // --color-brand in src/theme.css
const DOOR = [0xff, 0xff, 0xff];
const STEP = [0xf2, 0xb8, 0x4b];
const SUPERSAMPLE = 4; // 4x4 samples a pixel: smooth edges without a graphics library

// The drawing, in units of the icon's side (0..1). Everything sits inside the maskable safe zone
// (a circle of radius 0.4 around the centre), so one drawing serves "any" and "maskable".
const DOOR_LEFT = 0.35, DOOR_RIGHT = 0.65, ARCH_Y = 0.4, DOOR_BOTTOM = 0.72;
const ARCH_RADIUS = (DOOR_RIGHT - DOOR_LEFT) / 2;
const KNOB = { x: 0.595, y: 0.575, r: 0.026 };
const STEP_BOX = { left: 0.27, right: 0.73, top: 0.755, bottom: 0.81, r: 0.02 };

function insideRoundedBox(x, y, box) {
  const cx = Math.min(Math.max(x, box.left + box.r), box.right - box.r);
  const cy = Math.min(Math.max(y, box.top + box.r), box.bottom - box.r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= box.r ** 2;
}

function colourAt(x, y, { rounded }) {
  if (rounded && !insideRoundedBox(x, y, { left: 0, right: 1, top: 0, bottom: 1, r: 0.22 })) return null;
  if ((x - KNOB.x) ** 2 + (y - KNOB.y) ** 2 <= KNOB.r ** 2) return BRAND;
  const inArch = (x - 0.5) ** 2 + (y - ARCH_Y) ** 2 <= ARCH_RADIUS ** 2 && y <= ARCH_Y;
  const inDoor = x >= DOOR_LEFT && x <= DOOR_RIGHT && y >= ARCH_Y && y <= DOOR_BOTTOM;
  if (inArch || inDoor) return DOOR;
  if (insideRoundedBox(x, y, STEP_BOX)) return STEP;
  return BRAND;
}

function render(size, options) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const colour = colourAt((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size, options);
          if (!colour) continue;
          r += colour[0]; g += colour[1]; b += colour[2]; covered++;
        }
      }
      const at = (py * size + px) * 4;
      if (covered) {
        rgba[at] = Math.round(r / covered);
        rgba[at + 1] = Math.round(g / covered);
        rgba[at + 2] = Math.round(b / covered);
      }
      rgba[at + 3] = Math.round((255 * covered) / SUPERSAMPLE ** 2);
    }
  }
  return encodePng(size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1)); // each row starts with filter type 0 (none)
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function hex([r, g, b]) {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

function svg() {
  const s = (v) => +(v * 100).toFixed(2);
  const door =
    `M${s(DOOR_LEFT)} ${s(DOOR_BOTTOM)}V${s(ARCH_Y)}` +
    `A${s(ARCH_RADIUS)} ${s(ARCH_RADIUS)} 0 0 1 ${s(DOOR_RIGHT)} ${s(ARCH_Y)}V${s(DOOR_BOTTOM)}Z`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">`,
    `<rect width="100" height="100" rx="22" fill="${hex(BRAND)}"/>`,
    `<path d="${door}" fill="${hex(DOOR)}"/>`,
    `<circle cx="${s(KNOB.x)}" cy="${s(KNOB.y)}" r="${s(KNOB.r)}" fill="${hex(BRAND)}"/>`,
    `<rect x="${s(STEP_BOX.left)}" y="${s(STEP_BOX.top)}" width="${s(STEP_BOX.right - STEP_BOX.left)}" ` +
      `height="${s(STEP_BOX.bottom - STEP_BOX.top)}" rx="${s(STEP_BOX.r)}" fill="${hex(STEP)}"/>`,
    `</svg>`,
    "",
  ].join("\n");
}

mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(new URL("icon-192.png", OUT_DIR), render(192, { rounded: true }));
writeFileSync(new URL("icon-512.png", OUT_DIR), render(512, { rounded: true }));
writeFileSync(new URL("icon-maskable-512.png", OUT_DIR), render(512, { rounded: false }));
writeFileSync(new URL("apple-touch-icon-180.png", OUT_DIR), render(180, { rounded: false }));
writeFileSync(new URL("icon.svg", OUT_DIR), svg());
console.log("icons written to", OUT_DIR.pathname);
