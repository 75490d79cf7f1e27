import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleBundle } from './routes.js';

/**
 * Reads a console bundle written ahead of time (console/writeBundle.ts: the
 * Docker image does it at build time), for a gateway run as its own process.
 * A missing or empty file is a start-up error naming the file, not a console
 * that answers 404 later.
 */
export async function readConsoleBundle(dir: string): Promise<ConsoleBundle> {
  const read = async (name: string) => {
    const file = path.join(dir, name);
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`GATEWAY_CONSOLE_DIR: cannot read ${file} (${error.code ?? error.message}); write the bundle with \`tsx console/writeBundle.ts ${dir}\``);
    });
    if (bytes.length === 0) throw new Error(`GATEWAY_CONSOLE_DIR: ${file} is empty`);
    return bytes;
  };
  // One after the other, so a directory without a bundle is always reported by its first file.
  const js = await read('app.js');
  const css = await read('app.css');
  return { js, css };
}
