import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs the walls of `.dependency-cruiser.cjs` over `baseDir` (the repository by
 * default) and returns what broke them. One function for the test and for
 * `npm run walls`, so both judge the same tree the same way.
 */
export async function findWallViolations(baseDir = repositoryRoot): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(path.join(repositoryRoot, '.dependency-cruiser.cjs'));
  const tsConfigFile = path.join(repositoryRoot, 'tsconfig.json');
  const tsConfig = extractTSConfig(tsConfigFile);
  const previous = process.cwd();
  // dependency-cruiser reads paths relative to the working directory.
  process.chdir(baseDir);
  try {
    const { output } = await cruise(['.'], { ...options, tsConfig: { fileName: tsConfigFile }, baseDir, validate: true, outputType: 'json' }, {}, { tsConfig });
    const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
    return result.summary.violations;
  } finally {
    process.chdir(previous);
  }
}

/** `rule: from → to`, with the whole circle for a cycle: what a reviewer needs to find the import. */
export function describeViolation(violation: IViolation): string {
  const hops = violation.cycle?.length ? [violation.from, ...violation.cycle.map((step) => step.name)] : [violation.from, violation.to];
  return `${violation.rule.name}: ${hops.join(' → ')}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const violations = await findWallViolations();
  for (const violation of violations) console.error(describeViolation(violation));
  console.log(violations.length === 0 ? 'walls: no import crosses a wall' : `walls: ${violations.length} import(s) cross a wall`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
