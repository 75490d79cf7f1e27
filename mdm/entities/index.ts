import { MdmError } from '../errors.js';
import { customerConfig } from './customer.js';
import { personConfig } from './person.js';
import { productConfig } from './product.js';
import type { EntityConfig } from './types.js';

export type * from './types.js';
export { customerConfig, personConfig, productConfig };

/** The built-in entity configurations, by entity type. */
export const ENTITY_CONFIGS: Readonly<Record<string, EntityConfig>> = {
  customer: customerConfig,
  product: productConfig,
  person: personConfig,
};

export function entityConfig(entityType: string): EntityConfig {
  const config = ENTITY_CONFIGS[entityType];
  if (!config) {
    throw new MdmError('MDM_UNKNOWN_ENTITY_TYPE', `unknown entity type "${entityType}": expected one of ${Object.keys(ENTITY_CONFIGS).join(', ')}`);
  }
  return config;
}
