import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of test data shipped with the repository (see each subfolder's README for origin and licence). */
export const TEST_DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

/** A file under mdm/testing/data, e.g. testDataFile('febrl', 'dataset1.csv'). */
export function testDataFile(...parts: string[]): string {
  return path.join(TEST_DATA_DIR, ...parts);
}
