import type { EntityConfig } from './types.js';

/**
 * People, as in the FEBRL benchmark (given name, surname, address, date of
 * birth, social security id). One configuration for every FEBRL file.
 */
export const personConfig: EntityConfig = {
  entityType: 'person',
  idPrefix: 'per_',
  attributes: {
    given_name: { standardise: 'personName' },
    surname: { standardise: 'personName' },
    street_number: { standardise: 'digits' },
    address_1: { standardise: 'street' },
    address_2: { standardise: 'text' },
    suburb: { standardise: 'city' },
    postcode: { standardise: 'postcode' },
    state: { standardise: 'code' },
    date_of_birth: { standardise: 'date' },
    soc_sec_id: { standardise: 'digits' },
  },
  blocking: [
    { name: 'ssid', keys: [{ attribute: 'soc_sec_id' }] },
    { name: 'dob', keys: [{ attribute: 'date_of_birth' }] },
    { name: 'surname-sound+given-initial', keys: [{ attribute: 'surname', transform: 'metaphone' }, { attribute: 'given_name', transform: 'initial' }] },
    { name: 'given+postcode', keys: [{ attribute: 'given_name', transform: 'metaphone' }, { attribute: 'postcode' }] },
    { name: 'surname+suburb', keys: [{ attribute: 'surname', transform: 'prefix:3' }, { attribute: 'suburb', transform: 'prefix:3' }] },
    { name: 'address', keys: [{ attribute: 'address_1', transform: 'sortedTokens' }, { attribute: 'street_number' }] },
  ],
  comparisons: [
    { attribute: 'given_name', termFrequency: true, swapWith: 'surname', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.92 }, { kind: 'jaroWinkler', min: 0.8 }] },
    { attribute: 'surname', termFrequency: true, swapWith: 'given_name', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.92 }, { kind: 'jaroWinkler', min: 0.8 }] },
    { attribute: 'date_of_birth', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }, { kind: 'damerau', max: 2 }] },
    { attribute: 'soc_sec_id', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }, { kind: 'damerau', max: 2 }] },
    { attribute: 'street_number', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }] },
    { attribute: 'address_1', termFrequency: true, levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }, { kind: 'tokenSet', min: 0.5 }] },
    { attribute: 'address_2', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }] },
    { attribute: 'suburb', termFrequency: true, levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }] },
    { attribute: 'postcode', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }] },
    { attribute: 'state', levels: [{ kind: 'exact' }] },
  ],
  thresholds: { merge: 0.9, review: 0.5 },
  deterministic: [['soc_sec_id', 'date_of_birth'], ['given_name', 'surname', 'date_of_birth']],
  survivorship: {
    sourceTrust: [],
    attributes: {
      given_name: { rule: 'frequent' }, surname: { rule: 'frequent' }, street_number: { rule: 'frequent' },
      address_1: { rule: 'frequent' }, address_2: { rule: 'frequent' }, suburb: { rule: 'frequent' },
      postcode: { rule: 'frequent' }, state: { rule: 'frequent' }, date_of_birth: { rule: 'frequent' },
      soc_sec_id: { rule: 'frequent' },
    },
  },
};
