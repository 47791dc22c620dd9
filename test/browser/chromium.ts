/**
 * The browser the Chromium tests drive (Debian `chromium`, installed by scripts/install-browser.sh)
 * and how it is launched: headless, as root on a machine without network — no sandbox, no GPU,
 * and nothing that phones home (without the background-networking flags connections are refused
 * and logged).
 */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
