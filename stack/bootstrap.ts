import type { Command } from 'commander';
import { createPool } from '../platform/db/index.js';
import { ConfigError, readInt, readString, requireString } from '../platform/config.js';
import { readGatewayProofSettings, resolveGatewayProofKey } from '../platform/auth/gatewayProof.js';
import { parseTokenList } from '../schema/registry/config.js';
import { publishStackSubgraphs, resolveStackRegistryTokens } from './registry.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { runInitialLoad } from '../mdm/load/initialLoad.js';

/**
 * `concord bootstrap`: the one-shot step of a multi-process deployment
 * (docker-compose's `seed` service): seed the sandbox source systems unless
 * they already hold data, then run the MDM load. Idempotent: a restart keeps
 * the data and the master ids.
 */
export function registerBootstrapCommand(program: Command): void {
  program
    .command('bootstrap')
    .description('seed the sandbox ERP and CRM if empty, then run the MDM load (DATABASE_URL, CRM_BASE_URL, CRM_TOKEN)')
    .action(async () => {
      const env = process.env;
      const pool = createPool({ connectionString: requireString(env, 'DATABASE_URL'), applicationName: 'concord-bootstrap' });
      try {
        const present = await pool.query(`SELECT to_regclass('erp.res_partner') IS NOT NULL AS present`);
        const seeded = present.rows[0].present && (await pool.query('SELECT EXISTS (SELECT 1 FROM erp.res_partner) AS s')).rows[0].s;
        if (!seeded) {
          const summary = await seedSandbox(pool, { seed: readInt(env, 'SEED', 42), companies: readInt(env, 'SEED_COMPANIES', 2000, { min: 10 }) });
          console.log(`seeded ${summary.companies} companies and ${summary.products} products in ${summary.durationMs} ms`);
        }
        const load = await runInitialLoad(pool, {
          crmBaseUrl: readString(env, 'CRM_BASE_URL', 'http://127.0.0.1:4010'),
          crmToken: readString(env, 'CRM_TOKEN', 'pat-concord-sandbox'),
        });
        console.log(`MDM load: ${load.customers.clusters} golden customers, ${load.products.clusters} golden products in ${load.durationMs} ms`);
      } finally {
        await pool.end();
      }
    });
}

/**
 * `concord publish-subgraphs`: the compose deployment's first publish. Fetches
 * the SDL of the running ERP, CRM and MDM subgraphs (with a gateway proof) and
 * publishes each with its team's token from REGISTRY_TOKENS, MDM first (ERP
 * and CRM extend its entities). Unchanged SDL is a no-op, so it is safe to
 * run on every deploy; the gateways following the registry pick it up.
 */
export function registerPublishSubgraphsCommand(program: Command): void {
  program
    .command('publish-subgraphs')
    .description('publish the running ERP, CRM, MDM (and quality) subgraphs to the registry (CONCORD_REGISTRY_URL, REGISTRY_TOKENS, *_SUBGRAPH_URL)')
    .action(async () => {
      const env = process.env;
      const given = parseTokenList(readString(env, 'REGISTRY_TOKENS', ''));
      if (!given.some((grant) => grant.scope === 'admin' || grant.scope === 'publish')) {
        throw new ConfigError('REGISTRY_TOKENS', 'an admin token or the teams\' publish tokens', undefined);
      }
      const { tokens } = resolveStackRegistryTokens(given);
      const proofKey = await resolveGatewayProofKey(readGatewayProofSettings(env), 'signer');
      const outcomes = await publishStackSubgraphs({
        registryUrl: requireString(env, 'CONCORD_REGISTRY_URL'),
        tokens,
        proofKey,
        subgraphs: [
          { name: 'mdm', url: readString(env, 'MDM_SUBGRAPH_URL', 'http://127.0.0.1:4003/graphql') },
          { name: 'erp', url: readString(env, 'ERP_SUBGRAPH_URL', 'http://127.0.0.1:4001/graphql') },
          { name: 'crm', url: readString(env, 'CRM_SUBGRAPH_URL', 'http://127.0.0.1:4002/graphql') },
          // The quality subgraph (reconciliation) is published when its URL is given.
          ...(env.QUALITY_SUBGRAPH_URL ? [{ name: 'quality', url: readString(env, 'QUALITY_SUBGRAPH_URL', '')! }] : []),
        ],
        log: (line) => console.log(line),
      });
      console.log(JSON.stringify(outcomes));
      if (Object.values(outcomes).includes('refused')) process.exitCode = 1;
    });
}
