import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

const ICON = (src: string, sizes: string, purpose: 'any' | 'maskable') => ({ src, sizes, type: 'image/png', purpose });

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      // src/pwa/ registers the worker and asks before it takes over (never during a call).
      registerType: 'prompt',
      injectRegister: false,
      // The manifest, its icons and shortcut icons are precached by the plugin; this one is not in the manifest.
      includeAssets: ['icons/apple-touch-icon.png'],
      manifest: {
        name: 'BFP Emergency Voice',
        short_name: 'BFP Voice',
        description: 'Call the Bureau of Fire Protection: voice and your location to the nearest staffed fire station.',
        lang: 'en',
        theme_color: '#b71c1c',
        background_color: '#fafafa',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        icons: [
          ICON('/icons/icon-192.png', '192x192', 'any'),
          ICON('/icons/icon-512.png', '512x512', 'any'),
          ICON('/icons/maskable-192.png', '192x192', 'maskable'),
          ICON('/icons/maskable-512.png', '512x512', 'maskable'),
        ],
        shortcuts: [
          { name: 'Station console', short_name: 'Station', url: '/station', icons: [ICON('/icons/shortcut-96.png', '96x96', 'any')] },
          { name: 'Officer', short_name: 'Officer', url: '/officer', icons: [ICON('/icons/shortcut-96.png', '96x96', 'any')] },
        ],
      },
      workbox: {
        // vite-plugin-pwa sets this only for autoUpdate: without it the first visit stays uncontrolled.
        clientsClaim: true,
        skipWaiting: false,
        globPatterns: ['**/*.{js,css,html}'],
        navigateFallback: 'index.html',
        // Only the app's screens, as the server serves them; never the broker nor the API, which
        // belong to the network (the app caches the directory itself, in IndexedDB).
        navigateFallbackAllowlist: [/^\/(?:station|officer)?\/?(?:\?|$)/],
        navigateFallbackDenylist: [/^\/broker(?:\/|\?|$)/, /^\/api(?:\/|\?|$)/],
        runtimeCaching: [],
      },
    }),
  ],
  resolve: {
    alias: {
      // PeerJS needs only webrtc-adapter's browser detection; its shims cost ~10 KB gzipped for nothing.
      'webrtc-adapter': fileURLToPath(new URL('./src/client/peer/webrtc-adapter-lite.ts', import.meta.url)),
    },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
});
