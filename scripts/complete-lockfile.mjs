#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages that this machine's
// npm registry mirror does not serve (darwin, win32, exotic linux builds). `npm install` leaves
// them out of the lock when their metadata 404s, and `npm ci` then refuses the lock as out of
// sync. Each stub names the package's platform, so npm skips it here and installs it on a
// machine where it belongs. Run after every `npm install`: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const osWords = ['darwin', 'win32', 'linux', 'freebsd', 'android', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const cpuWords = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

/** Reads the os and cpu a platform package targets from its name (e.g. `core-linux-arm-gnueabihf`). */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => osWords.includes(part));
  const cpu = parts.find((part) => cpuWords.includes(part));
  const libc = parts.some((part) => part.startsWith('musl')) ? 'musl' : parts.some((part) => part.startsWith('gnu')) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const sibling = location === '' ? `node_modules/${name}` : `${location.replace(/node_modules\/(@[^/]+\/)?[^/]+$/, '')}node_modules/${name}`;
    const nested = `${location}/node_modules/${name}`;
    if (packages[sibling] || packages[nested] || packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os || !cpu) continue; // not a platform build: leave it for npm to resolve
    packages[`node_modules/${name}`] = {
      version,
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
      license: 'stub',
      optional: true,
      os: [os],
    };
    added += 1;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform stub(s)`);
