import { Faker, type LocaleDefinition, base, de, de_AT, en, en_IE, en_US, es, fr, it, nl, nl_BE } from '@faker-js/faker';
import {
  belgianVatCheck,
  frenchVatKey,
  germanVatCheckDigit,
  irishVatCheckLetter,
  luhnCheckDigit,
  spanishCifControl,
} from './checkDigits.js';
import type { Random } from './random.js';

/**
 * The countries the seed's companies live in (a handful of EU countries and
 * the US), with what makes their records look local: real cities with their
 * postcode and dialling area, the legal forms companies carry and the ways
 * people write them, the VAT number format (with its real check digit where
 * the algorithm is public), and the street-name conventions with their
 * customary abbreviations.
 */
export type CountryCode = 'DE' | 'AT' | 'FR' | 'NL' | 'BE' | 'IE' | 'IT' | 'ES' | 'US';

export interface City {
  name: string;
  /** A real postcode of the city; generated ones vary its last digits. */
  zip: string;
  /** Dialling area code without the trunk prefix. */
  area: string;
}

export interface LegalForm {
  canonical: string;
  /** Other ways the same form is written: long form, dotted, lower case. */
  variants: readonly string[];
}

/** A street line as the company writes it, and the ways others abbreviate it. */
export interface StreetLine {
  canonical: string;
  variants: string[];
}

export interface CountryProfile {
  code: CountryCode;
  name: string;
  localName: string;
  phoneCode: number;
  /** National trunk prefix ('0' in most of Europe; none in IT, ES, US). */
  trunk: string;
  currency: 'EUR' | 'USD';
  lang: string;
  tld: string;
  /** Relative share of companies. */
  weight: number;
  subscriberDigits: number;
  /** The conjunction that replaces "&" in names ("und", "et", …). */
  and: string;
  cities: readonly City[];
  legalForms: ReadonlyArray<readonly [LegalForm, number]>;
  /** Industry words that read naturally after a family name. */
  sectors: readonly string[];
  faker: Faker;
  makeVat(rng: Random): string;
  makeZip(city: City, rng: Random): string;
  makeStreet(rng: Random): StreetLine;
}

const lf = (canonical: string, ...variants: string[]): LegalForm => ({ canonical, variants });

const GMBH = lf('GmbH', 'Gesellschaft mit beschränkter Haftung', 'Gmbh', 'G.m.b.H.');
const AG = lf('AG', 'Aktiengesellschaft', 'A.G.');
const KG = lf('GmbH & Co. KG', 'GmbH und Co. KG', 'GmbH & Co KG', 'GmbH&Co.KG');
const LTD = lf('Ltd', 'Limited', 'Ltd.', 'LTD');
const INC = lf('Inc.', 'Incorporated', 'Inc', 'INC');
const LLC = lf('LLC', 'L.L.C.', 'Llc', 'Limited Liability Company');
const CORP = lf('Corporation', 'Corp.', 'Corp', 'CORP');
const BV = lf('B.V.', 'BV', 'Besloten Vennootschap', 'bv');
const NV = lf('N.V.', 'NV', 'Naamloze Vennootschap');
const SAS = lf('SAS', 'S.A.S.', 'Société par actions simplifiée');
const SARL = lf('SARL', 'S.A.R.L.', 'Sarl', 'Société à responsabilité limitée');
const SA = lf('SA', 'S.A.', 'Société anonyme');
const SRL_BE = lf('SRL', 'S.R.L.', 'BV');
const SRL_IT = lf('S.r.l.', 'SRL', 'Srl', 'Società a responsabilità limitata');
const SPA = lf('S.p.A.', 'SpA', 'SPA', 'Società per azioni');
const SL = lf('S.L.', 'SL', 'S.L.U.', 'Sociedad Limitada');
const SA_ES = lf('S.A.', 'SA', 'Sociedad Anónima');

function numericZip(city: City, rng: Random, vary: number): string {
  const value = Number(city.zip) + rng.int(0, vary);
  return String(value).padStart(city.zip.length, '0');
}

function upperLetters(rng: Random, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String.fromCharCode(65 + rng.int(0, 25));
  return out;
}

function houseNumber(rng: Random): string {
  return String(rng.weighted([[rng.int(1, 30), 6], [rng.int(31, 180), 3], [rng.int(181, 999), 1]] as const));
}

/** German-style compound street: "Lindenstraße 12" → "Lindenstr. 12" / "Lindenstrasse 12". */
function germanStreet(faker: Faker, rng: Random, extraSuffixes: readonly string[]): StreetLine {
  const stem = rng.chance(0.5)
    ? rng.pick(['Haupt', 'Bahnhof', 'Schiller', 'Goethe', 'Industrie', 'Garten', 'Linden', 'Kirch', 'Friedrich', 'Mozart', 'Berliner ', 'Wiesen', 'Gewerbe', 'Hafen', 'Markt'])
    : faker.person.lastName();
  const n = houseNumber(rng);
  const suffix = rng.weighted<string>([['straße', 6], ['weg', 2], ['allee', 1], ...extraSuffixes.map((s) => [s, 1] as const)]);
  const capital = suffix[0].toUpperCase() + suffix.slice(1);
  // "Berliner Straße", "Schmidt-Weg" for multi-word names, else one compound "Lindenstraße".
  const street = stem.endsWith(' ') ? `${stem}${capital}` : /[\s-]/.test(stem) ? `${stem.replace(/\s+/g, '-')}-${capital}` : `${stem}${suffix}`;
  const canonical = `${street} ${n}`;
  const variants: string[] = [];
  if (/straße/i.test(suffix)) {
    variants.push(canonical.replace(/straße/, 'str.').replace(/Straße/, 'Str.'));
    variants.push(canonical.replace(/ß/g, 'ss'));
  }
  variants.push(canonical.replace(/ (\d+)$/, ', $1'), canonical.toUpperCase());
  return { canonical, variants };
}

function suffixStreet(
  rng: Random,
  name: string,
  kinds: ReadonlyArray<readonly [string, readonly string[]]>,
  numberFirst: boolean,
): StreetLine {
  const [kind, abbreviations] = rng.pick(kinds);
  const n = houseNumber(rng);
  const build = (k: string) => (numberFirst ? `${n} ${name} ${k}` : `${name}${k} ${n}`);
  const canonical = build(kind);
  const variants = abbreviations.map(build);
  variants.push(canonical.toUpperCase());
  return { canonical, variants };
}

function prefixStreet(
  rng: Random,
  name: string,
  kinds: ReadonlyArray<readonly [string, readonly string[]]>,
  numberFirst: boolean,
): StreetLine {
  const [kind, abbreviations] = rng.pick(kinds);
  const n = houseNumber(rng);
  const build = (k: string) => (numberFirst ? `${n} ${k} ${name}` : `${k} ${name} ${n}`);
  const canonical = build(kind);
  const variants = abbreviations.map(build);
  variants.push(numberFirst ? `${n}, ${kind} ${name}` : `${kind} ${name}, ${n}`);
  return { canonical, variants };
}

const ENGLISH_STREETS = [
  ['Street', ['St', 'St.', 'Str']],
  ['Road', ['Rd', 'Rd.']],
  ['Avenue', ['Ave', 'Ave.', 'Av.']],
  ['Boulevard', ['Blvd', 'Blvd.']],
  ['Drive', ['Dr', 'Dr.']],
] as const;

/** Builds the country table; each call gets its own Faker instances (they carry seed state). */
export function createCountryProfiles(): Record<CountryCode, CountryProfile> {
  const faker = (...locales: LocaleDefinition[]) => new Faker({ locale: [...locales, en, base] });
  const profiles: CountryProfile[] = [
    {
      code: 'DE', name: 'Germany', localName: 'Deutschland', phoneCode: 49, trunk: '0', currency: 'EUR', lang: 'de_DE', tld: 'de', weight: 25,
      subscriberDigits: 7, and: 'und',
      cities: [
        { name: 'Berlin', zip: '10115', area: '30' }, { name: 'Hamburg', zip: '20095', area: '40' },
        { name: 'München', zip: '80331', area: '89' }, { name: 'Köln', zip: '50667', area: '221' },
        { name: 'Frankfurt am Main', zip: '60311', area: '69' }, { name: 'Stuttgart', zip: '70173', area: '711' },
        { name: 'Düsseldorf', zip: '40213', area: '211' }, { name: 'Leipzig', zip: '04109', area: '341' },
        { name: 'Dresden', zip: '01067', area: '351' }, { name: 'Hannover', zip: '30159', area: '511' },
        { name: 'Nürnberg', zip: '90402', area: '911' }, { name: 'Bremen', zip: '28195', area: '421' },
      ],
      legalForms: [[GMBH, 12], [KG, 3], [AG, 2]],
      sectors: ['Maschinenbau', 'Logistik', 'Elektrotechnik', 'Metallbau', 'Systemtechnik', 'Technologies', 'Industries', 'Handel', 'Solutions'],
      faker: faker(de),
      makeVat(rng) {
        const first8 = String(rng.int(1, 9)) + rng.digits(7);
        return `DE${first8}${germanVatCheckDigit(first8)}`;
      },
      makeZip: (city, rng) => numericZip(city, rng, 40),
      makeStreet(rng) { return germanStreet(this.faker, rng, ['ring', 'damm']); },
    },
    {
      code: 'AT', name: 'Austria', localName: 'Österreich', phoneCode: 43, trunk: '0', currency: 'EUR', lang: 'de_DE', tld: 'at', weight: 6,
      subscriberDigits: 7, and: 'und',
      cities: [
        { name: 'Wien', zip: '1010', area: '1' }, { name: 'Graz', zip: '8010', area: '316' },
        { name: 'Linz', zip: '4020', area: '732' }, { name: 'Salzburg', zip: '5020', area: '662' },
        { name: 'Innsbruck', zip: '6020', area: '512' },
      ],
      legalForms: [[GMBH, 10], [AG, 2], [KG, 2]],
      sectors: ['Maschinenbau', 'Logistik', 'Anlagenbau', 'Technik', 'Handel', 'Solutions'],
      faker: faker(de_AT, de),
      makeVat: (rng) => `ATU${rng.digits(8)}`,
      makeZip: (city, rng) => numericZip(city, rng, 9) ,
      makeStreet(rng) { return germanStreet(this.faker, rng, ['gasse']); },
    },
    {
      code: 'FR', name: 'France', localName: 'France', phoneCode: 33, trunk: '0', currency: 'EUR', lang: 'fr_FR', tld: 'fr', weight: 12,
      subscriberDigits: 8, and: 'et',
      cities: [
        { name: 'Paris', zip: '75001', area: '1' }, { name: 'Lyon', zip: '69001', area: '4' },
        { name: 'Marseille', zip: '13001', area: '4' }, { name: 'Toulouse', zip: '31000', area: '5' },
        { name: 'Lille', zip: '59000', area: '3' }, { name: 'Nantes', zip: '44000', area: '2' },
        { name: 'Bordeaux', zip: '33000', area: '5' }, { name: 'Strasbourg', zip: '67000', area: '3' },
      ],
      legalForms: [[SAS, 6], [SARL, 5], [SA, 2]],
      sectors: ['Industrie', 'Solutions', 'Équipements', 'Logistique', 'Technologies', 'Services'],
      faker: faker(fr),
      makeVat(rng) {
        const first8 = String(rng.int(1, 9)) + rng.digits(7);
        const siren = first8 + luhnCheckDigit(first8);
        return `FR${frenchVatKey(siren)}${siren}`;
      },
      makeZip: (city, rng) => numericZip(city, rng, 19),
      makeStreet(rng) {
        const f = this.faker;
        const name = rng.pick(['de la République', 'Victor Hugo', 'du Général Leclerc', 'Jean Jaurès', 'de la Gare', 'Pasteur', `${f.person.firstName()} ${f.person.lastName()}`]);
        return prefixStreet(rng, name, [['rue', ['r.', 'Rue']], ['avenue', ['av.', 'Av.', 'Avenue']], ['boulevard', ['bd', 'Bd', 'boul.']]], true);
      },
    },
    {
      code: 'NL', name: 'Netherlands', localName: 'Nederland', phoneCode: 31, trunk: '0', currency: 'EUR', lang: 'nl_NL', tld: 'nl', weight: 10,
      subscriberDigits: 7, and: 'en',
      cities: [
        { name: 'Amsterdam', zip: '1011', area: '20' }, { name: 'Rotterdam', zip: '3011', area: '10' },
        { name: 'Den Haag', zip: '2511', area: '70' }, { name: 'Utrecht', zip: '3511', area: '30' },
        { name: 'Eindhoven', zip: '5611', area: '40' },
      ],
      legalForms: [[BV, 10], [NV, 2]],
      sectors: ['Techniek', 'Groep', 'Logistiek', 'Installaties', 'Solutions', 'Trading'],
      faker: faker(nl),
      makeVat: (rng) => `NL${rng.digits(9)}B${rng.pick(['01', '01', '01', '02'])}`,
      makeZip: (city, rng) => `${numericZip(city, rng, 80)} ${upperLetters(rng, 2)}`,
      makeStreet(rng) {
        const name = rng.chance(0.5) ? this.faker.person.lastName().replace(/\s+/g, '') : rng.pick(['Keizers', 'Prinsen', 'Heren', 'Molen', 'Kerk', 'Dorps', 'Industrie', 'Haven']);
        return suffixStreet(rng, name, [['straat', ['str.', 'Straat']], ['laan', ['ln.']], ['weg', ['wg.']], ['kade', []]], false);
      },
    },
    {
      code: 'BE', name: 'Belgium', localName: 'België', phoneCode: 32, trunk: '0', currency: 'EUR', lang: 'nl_BE', tld: 'be', weight: 6,
      subscriberDigits: 7, and: 'en',
      cities: [
        { name: 'Brussel', zip: '1000', area: '2' }, { name: 'Antwerpen', zip: '2000', area: '3' },
        { name: 'Gent', zip: '9000', area: '9' }, { name: 'Liège', zip: '4000', area: '4' },
        { name: 'Leuven', zip: '3000', area: '16' },
      ],
      legalForms: [[BV, 6], [NV, 3], [SRL_BE, 2], [SA, 1]],
      sectors: ['Techniek', 'Industries', 'Logistics', 'Solutions', 'Services'],
      faker: faker(nl_BE, nl),
      makeVat(rng) {
        const first8 = `0${rng.int(2, 9)}${rng.digits(6)}`;
        return `BE${first8}${belgianVatCheck(first8)}`;
      },
      makeZip: (city, rng) => numericZip(city, rng, 9),
      makeStreet(rng) {
        const name = this.faker.person.lastName().replace(/\s+/g, '');
        return suffixStreet(rng, name, [['straat', ['str.']], ['laan', ['ln.']], ['steenweg', ['stwg.']]], false);
      },
    },
    {
      code: 'IE', name: 'Ireland', localName: 'Éire', phoneCode: 353, trunk: '0', currency: 'EUR', lang: 'en_IE', tld: 'ie', weight: 6,
      subscriberDigits: 7, and: 'and',
      cities: [
        { name: 'Dublin', zip: 'D02', area: '1' }, { name: 'Cork', zip: 'T12', area: '21' },
        { name: 'Galway', zip: 'H91', area: '91' }, { name: 'Limerick', zip: 'V94', area: '61' },
      ],
      legalForms: [[LTD, 10], [lf('DAC', 'D.A.C.', 'Designated Activity Company'), 1], [lf('PLC', 'plc', 'Public Limited Company'), 1]],
      sectors: ['Engineering', 'Logistics', 'Technologies', 'Systems', 'Industries', 'Solutions'],
      faker: faker(en_IE),
      makeVat(rng) {
        const digits = rng.digits(7);
        return `IE${digits}${irishVatCheckLetter(digits)}`;
      },
      makeZip: (city, rng) => `${city.zip} ${upperLetters(rng, 1)}${rng.digits(2)}${upperLetters(rng, 1)}`,
      makeStreet(rng) { return suffixStreet(rng, this.faker.person.lastName(), ENGLISH_STREETS, true); },
    },
    {
      code: 'IT', name: 'Italy', localName: 'Italia', phoneCode: 39, trunk: '', currency: 'EUR', lang: 'it_IT', tld: 'it', weight: 8,
      subscriberDigits: 7, and: 'e',
      cities: [
        { name: 'Milano', zip: '20121', area: '02' }, { name: 'Roma', zip: '00184', area: '06' },
        { name: 'Torino', zip: '10121', area: '011' }, { name: 'Bologna', zip: '40121', area: '051' },
        { name: 'Firenze', zip: '50122', area: '055' }, { name: 'Napoli', zip: '80133', area: '081' },
      ],
      legalForms: [[SRL_IT, 8], [SPA, 3]],
      sectors: ['Meccanica', 'Impianti', 'Industrie', 'Logistica', 'Tecnologie', 'Forniture'],
      faker: faker(it),
      makeVat(rng) {
        const first10 = rng.digits(7) + rng.pick(['001', '015', '036', '058', '096']);
        return `IT${first10}${luhnCheckDigit(first10)}`;
      },
      makeZip: (city, rng) => numericZip(city, rng, 30),
      makeStreet(rng) {
        const f = this.faker;
        const name = rng.pick(['Roma', 'Garibaldi', 'Giuseppe Verdi', 'Dante', 'dei Mille', 'della Repubblica', `${f.person.firstName()} ${f.person.lastName()}`]);
        return prefixStreet(rng, name, [['Via', ['V.', 'via']], ['Viale', ['V.le', 'viale']], ['Corso', ['C.so']], ['Piazza', ['P.za', 'P.zza']]], false);
      },
    },
    {
      code: 'ES', name: 'Spain', localName: 'España', phoneCode: 34, trunk: '', currency: 'EUR', lang: 'es_ES', tld: 'es', weight: 7,
      subscriberDigits: 7, and: 'y',
      cities: [
        { name: 'Madrid', zip: '28001', area: '91' }, { name: 'Barcelona', zip: '08001', area: '93' },
        { name: 'Valencia', zip: '46001', area: '96' }, { name: 'Sevilla', zip: '41001', area: '95' },
        { name: 'Bilbao', zip: '48001', area: '94' },
      ],
      legalForms: [[SL, 8], [SA_ES, 3]],
      sectors: ['Industrial', 'Suministros', 'Logística', 'Tecnologías', 'Soluciones', 'Ingeniería'],
      faker: faker(es),
      makeVat(rng) {
        const digits = rng.digits(7);
        return `ESB${digits}${spanishCifControl(digits)}`;
      },
      makeZip: (city, rng) => numericZip(city, rng, 40),
      makeStreet(rng) {
        const f = this.faker;
        const name = rng.pick(['Mayor', 'de Alcalá', 'Gran Vía', 'del Prado', 'de la Constitución', `de ${f.person.lastName()}`]);
        return prefixStreet(rng, name, [['Calle', ['C/', 'C.', 'calle']], ['Avenida', ['Avda.', 'Av.']], ['Paseo', ['Pº', 'P.º']]], false);
      },
    },
    {
      code: 'US', name: 'United States', localName: 'USA', phoneCode: 1, trunk: '', currency: 'USD', lang: 'en_US', tld: 'com', weight: 20,
      subscriberDigits: 7, and: 'and',
      cities: [
        { name: 'New York', zip: '10001', area: '212' }, { name: 'Chicago', zip: '60601', area: '312' },
        { name: 'San Francisco', zip: '94105', area: '415' }, { name: 'Austin', zip: '78701', area: '512' },
        { name: 'Boston', zip: '02108', area: '617' }, { name: 'Seattle', zip: '98101', area: '206' },
        { name: 'Atlanta', zip: '30303', area: '404' }, { name: 'Denver', zip: '80202', area: '303' },
      ],
      legalForms: [[INC, 8], [LLC, 5], [CORP, 3]],
      sectors: ['Industries', 'Manufacturing', 'Technologies', 'Systems', 'Logistics', 'Supply', 'Solutions'],
      faker: faker(en_US),
      // US companies carry an EIN in Odoo's vat field.
      makeVat: (rng) => `${rng.int(10, 98)}-${rng.digits(7)}`,
      makeZip: (city, rng) => numericZip(city, rng, 20),
      makeStreet(rng) { return suffixStreet(rng, this.faker.person.lastName(), ENGLISH_STREETS, true); },
    },
  ];
  return Object.fromEntries(profiles.map((p) => [p.code, p])) as Record<CountryCode, CountryProfile>;
}

export const COUNTRY_CODES: readonly CountryCode[] = ['DE', 'AT', 'FR', 'NL', 'BE', 'IE', 'IT', 'ES', 'US'];
