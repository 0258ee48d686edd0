import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// Django serves dist/ from the site root (whitenoise, WHITENOISE_ROOT), so every URL is
// absolute from "/" and the service worker's scope is the whole origin.
export default defineConfig({
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
  },
  server: {
    // `npm run dev` talks to `manage.py runserver` on 8000 through Vite's proxy (same origin,
    // so the session cookie and CSRF work as in production).
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/_allauth": "http://127.0.0.1:8000",
    },
  },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false, // src/pwa.ts registers it with workbox-window
      registerType: "autoUpdate",
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/*.png", "favicon.svg"],
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
      },
      manifest: {
        id: "/",
        name: "Spasm diary: vitamin D, cramps and treatment response",
        short_name: "Spasm diary",
        description: "Log cramps in a few taps, even offline, and see whether vitamin D helps.",
        lang: "en",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#0f1720",
        theme_color: "#1f6f5c",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
});
