import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the console (React, recharts and our pages) from the installed npm
 * packages with esbuild, in memory: one script and one stylesheet for the
 * gateway to serve at /console. Runs when the stack starts (about a second),
 * so there is no build step to forget and nothing is fetched at run time.
 */
export interface BuiltConsole {
  js: Buffer;
  css: Buffer;
  durationMs: number;
}

const ENTRY = fileURLToPath(new URL('./src/main.tsx', import.meta.url));
const STYLES = fileURLToPath(new URL('./src/styles.css', import.meta.url));

export async function buildConsole(options: { minify?: boolean } = {}): Promise<BuiltConsole> {
  const started = performance.now();
  const common = { bundle: true, write: false, minify: options.minify ?? true, logLevel: 'silent' as const, legalComments: 'none' as const };
  const [script, styles] = await Promise.all([
    build({
      ...common,
      entryPoints: [ENTRY],
      format: 'iife',
      platform: 'browser',
      target: ['chrome100', 'firefox100', 'safari15'],
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      outfile: 'app.js',
    }),
    build({ ...common, entryPoints: [STYLES], outfile: 'app.css' }),
  ]);
  const js = (script.outputFiles ?? []).find((f) => f.path.endsWith('.js'));
  const css = (styles.outputFiles ?? []).find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('the console build produced no script or stylesheet');
  return { js: Buffer.from(js.contents), css: Buffer.from(css.contents), durationMs: Math.round(performance.now() - started) };
}
