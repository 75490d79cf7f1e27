import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildConsole } from './build.js';

/**
 * `tsx console/writeBundle.ts <dir>`: bundles the console and writes app.js
 * and app.css into <dir>, for a gateway started on its own with
 * GATEWAY_CONSOLE_DIR=<dir> (the Docker image runs this at build time, so a
 * container never bundles at start and never fetches anything).
 */
const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx console/writeBundle.ts <dir>');
  process.exit(2);
}
const built = await buildConsole();
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'app.js'), built.js);
await writeFile(path.join(dir, 'app.css'), built.css);
console.log(`console bundle written to ${dir} in ${built.durationMs} ms (${Math.round(built.js.length / 1024)} KiB)`);
