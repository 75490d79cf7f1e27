import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateManifest, type TrustedDocumentManifest } from '../../platform/persisted/trustedDocumentManifest.js';

/**
 * Manifests from a folder, one `<client>.json` per client: for a gateway that
 * follows no registry (a single deployment, tests). With a registry, the
 * gateway follows its published manifests instead (registryManifests).
 */
export async function readManifestFolder(folder: string): Promise<Map<string, TrustedDocumentManifest>> {
  const manifests = new Map<string, TrustedDocumentManifest>();
  for (const file of (await readdir(folder)).filter((f) => f.endsWith('.json')).sort()) {
    const client = file.slice(0, -'.json'.length);
    try {
      manifests.set(client, validateManifest(JSON.parse(await readFile(path.join(folder, file), 'utf8'))));
    } catch (error) {
      throw new Error(`trusted documents: ${path.join(folder, file)}: ${(error as Error).message}`);
    }
  }
  return manifests;
}
