// Builds the PWA into dist/ (served by the backend at /), the service worker and the web app manifest.
import { build, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

/** Where `npm run dev` forwards server paths: the backend started with `doorstep demo` or `doorstep serve`. */
const BACKEND = process.env["DOORSTEP_BACKEND_URL"] ?? "http://127.0.0.1:8000";

/** The tracking page's push-only worker: dist/track-push-worker.js, registered with scope /track/<token>. */
const TRACK_PUSH_WORKER = "track-push-worker.js";

/**
 * Builds src/sw/track-push-worker.ts once the app is written, on its own: one classic script (IIFE) with
 * everything it imports inside, at a fixed name the page can register, since a worker cannot load the app's
 * hashed chunks. Not in the main worker's precache (globIgnores below): customers' phones only need it.
 */
function trackPushWorker(): Plugin {
  let outDir = "dist";
  let root = process.cwd();
  return {
    name: "doorstep-track-push-worker",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
      root = config.root;
    },
    async closeBundle() {
      await build({
        configFile: false,
        root,
        publicDir: false,
        logLevel: "warn",
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          lib: {
            entry: "src/sw/track-push-worker.ts",
            formats: ["iife"],
            name: "doorstepTrackPush",
            fileName: () => TRACK_PUSH_WORKER,
          },
        },
      });
    },
  };
}

const THEME_COLOUR = "#0b5d4b"; // --color-brand in src/theme.css
const BACKGROUND_COLOUR = "#f5f7f6"; // --color-page

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src/sw",
      filename: "service-worker.ts",
      // main.tsx registers the worker through src/offline/sw-bridge.ts, which asks before updating.
      injectRegister: false,
      registerType: "prompt",
      // The precache list is what the globs find in dist/ (the plugin adds manifest.webmanifest
      // itself); the manifest's icons are PNGs in dist/icons/ already, so don't list them twice.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,woff2,wasm}"],
        globIgnores: [TRACK_PUSH_WORKER],
      },
      manifest: {
        id: "/",
        name: "Doorstep",
        short_name: "Doorstep",
        description: "Open-source last-mile delivery: dispatch, routes, live tracking and the driver app.",
        lang: "en",
        start_url: "/",
        scope: "/",
        display: "standalone",
        theme_color: THEME_COLOUR,
        background_color: BACKGROUND_COLOUR,
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
    trackPushWorker(),
  ],
  server: {
    proxy: {
      "/api": BACKEND,
      "/ws": { target: BACKEND, ws: true },
      "/schema": BACKEND,
      "/health": BACKEND,
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
