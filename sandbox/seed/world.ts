import type { City, CountryCode, CountryProfile, LegalForm, StreetLine } from './countries.js';
import { COUNTRY_CODES } from './countries.js';
import { gtin13CheckDigit } from './checkDigits.js';
import { Random } from './random.js';

/**
 * The real world behind the source systems: companies and products as they
 * truly are, before any system records them. ERP and CRM records are later
 * derived from these (with each system's habits and errors), and the truth
 * table says which records came from which real entity.
 *
 * Each entity draws from its own random stream (seed, kind, index), so the
 * first N companies of a large run are the same as those of a small run.
 */
export interface Phone {
  country: CountryProfile;
  area: string;
  subscriber: string;
}

export interface RealCompany {
  /** 1-based position; also the number in the truth id. */
  index: number;
  truthId: string;
  country: CountryProfile;
  /** The name without legal form ("Müller & Weber"). */
  baseName: string;
  legalForm: LegalForm;
  /** The registered name ("Müller & Weber GmbH"). */
  name: string;
  vat: string;
  domain: string;
  email: string;
  phone: Phone;
  street: StreetLine;
  city: City;
  zip: string;
  /** In whole currency units. */
  creditLimit: number;
  industry: string;
  /** How many days before the reference date the company became a customer. */
  customerSinceDays: number;
}

export interface RealProduct {
  index: number;
  truthId: string;
  sku: string;
  gtin: string;
  name: string;
  listPriceCents: number;
  manufacturer: string;
  description: string;
}

export const truthId = (kind: 'company' | 'product', index: number): string => `${kind}-${String(index).padStart(5, '0')}`;

/** HubSpot's industry enumeration values (a subset fitting an industrial supplier's customers). */
const INDUSTRIES = [
  'MACHINERY', 'INDUSTRIAL_AUTOMATION', 'LOGISTICS_AND_SUPPLY_CHAIN', 'COMPUTER_SOFTWARE',
  'ELECTRICAL_ELECTRONIC_MANUFACTURING', 'CHEMICALS', 'CONSTRUCTION', 'WHOLESALE', 'AUTOMOTIVE',
  'FOOD_PRODUCTION', 'MEDICAL_DEVICES', 'RETAIL', 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING', 'BUILDING_MATERIALS',
] as const;

const BRAND_HEADS = ['Nord', 'Alpha', 'Blue', 'Terra', 'Vector', 'Nova', 'Apex', 'Silver', 'Pioneer', 'Summit', 'Atlas', 'Delta', 'Orion', 'Quantum', 'Vertex', 'Zenith', 'Helix', 'Polar', 'Iron', 'Green', 'Stell', 'Lumen', 'Kraft', 'Axion'];
const BRAND_TAILS = ['tech', 'works', 'line', 'soft', 'tronic', 'data', 'flow', 'point', 'wave', 'core', 'form', 'grid', 'motion', 'field'];
const BRAND_WORDS = ['International', 'Technologies', 'Systems', 'Solutions', 'Group', 'Company', 'Industries', 'Engineering', 'Services'];

/** Lower-case ASCII slug for a web domain ("Müller & Weber" → "mueller-weber"). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

interface Manufacturer {
  name: string;
  code: string;
  /** GS1 prefix of the country that issued its company prefix, plus the company prefix: 7 digits. */
  gs1: string;
}

const MANUFACTURERS: readonly Manufacturer[] = [
  { name: 'Acme Industrial', code: 'ACM', gs1: '0412345' },
  { name: 'Norvik Components', code: 'NVK', gs1: '7350123' },
  { name: 'Kestrel Drives', code: 'KST', gs1: '5012345' },
  { name: 'Brandt & Söhne Werkzeuge', code: 'BRS', gs1: '4012345' },
  { name: 'Lumora Sensorik', code: 'LMR', gs1: '4023456' },
  { name: 'Dalvane Valves', code: 'DLV', gs1: '8712345' },
  { name: 'Torvald Bearings', code: 'TVB', gs1: '7312345' },
  { name: 'Quintex Cables', code: 'QTX', gs1: '3012345' },
  { name: 'Safeguard Pro', code: 'SGP', gs1: '0098765' },
  { name: 'Hydrava Fluid Power', code: 'HYD', gs1: '8012345' },
  { name: 'Meridian Pumps', code: 'MRP', gs1: '5412345' },
  { name: 'Ostwald Elektro', code: 'OSE', gs1: '4034567' },
];

interface Category {
  /** Codes of the manufacturers that make this kind of product. */
  makers: readonly string[];
  nouns: readonly string[];
  materials: readonly string[];
  spec(rng: Random): string;
  /** Price range in cents. */
  price: readonly [number, number];
}

const CATEGORIES: readonly Category[] = [
  { makers: ['ACM', 'BRS'], nouns: ['Hex Bolt', 'Socket Head Screw', 'Flange Nut', 'Threaded Rod', 'Anchor Bolt', 'Wood Screw'], materials: ['Stainless Steel A2', 'Stainless Steel A4', 'Galvanized Steel', 'Brass'],
    spec: (r) => `M${r.pick([4, 5, 6, 8, 10, 12, 16])}x${r.pick([16, 20, 25, 30, 40, 50, 60, 80])}`, price: [20, 1_500] },
  { makers: ['MRP', 'HYD'], nouns: ['Centrifugal Pump', 'Diaphragm Pump', 'Gear Pump', 'Submersible Pump'], materials: ['Cast Iron', 'Stainless Steel'],
    spec: (r) => `${r.pick([25, 50, 80, 100, 150, 200, 300])} l/min`, price: [30_000, 400_000] },
  { makers: ['DLV', 'ACM'], nouns: ['Ball Valve', 'Gate Valve', 'Check Valve', 'Butterfly Valve', 'Solenoid Valve'], materials: ['Brass', 'Stainless Steel', 'PVC-U', 'Ductile Iron'],
    spec: (r) => `DN${r.pick([15, 20, 25, 32, 40, 50, 65, 80, 100])}`, price: [1_500, 90_000] },
  { makers: ['TVB', 'NVK'], nouns: ['Deep Groove Ball Bearing', 'Tapered Roller Bearing', 'Pillow Block Bearing', 'Needle Roller Bearing'], materials: ['Chrome Steel', 'Stainless Steel'],
    spec: (r) => r.pick(['6204-2RS', '6205-2Z', '6305-2RS', '30205', 'UCP205', 'NK20/16', '6001-2RS']), price: [400, 18_000] },
  { makers: ['LMR', 'OSE'], nouns: ['Inductive Proximity Sensor', 'Pressure Transmitter', 'Temperature Probe', 'Photoelectric Sensor', 'Flow Meter'], materials: ['Stainless Steel', 'Brass', 'PBT Housing'],
    spec: (r) => r.pick(['M12', 'M18', 'M30', 'PT100', '4-20 mA', 'IO-Link', '0-10 bar', '0-250 °C']), price: [3_900, 120_000] },
  { makers: ['QTX', 'OSE'], nouns: ['Control Cable', 'Power Cable', 'Ethernet Cable Cat6A', 'Shielded Signal Cable'], materials: ['PVC Jacket', 'PUR Jacket', 'Halogen-free'],
    spec: (r) => `${r.pick([2, 3, 4, 5, 7, 12])}x${r.pick(['0.75', '1.5', '2.5'])} mm², ${r.pick([25, 50, 100])} m`, price: [1_500, 60_000] },
  { makers: ['KST', 'OSE'], nouns: ['Three-Phase Motor', 'Servo Motor', 'Helical Gear Motor', 'Stepper Motor'], materials: ['Aluminium Housing', 'Cast Iron Housing'],
    spec: (r) => `${r.pick(['0.37', '0.75', '1.5', '2.2', '4', '7.5', '11'])} kW`, price: [15_000, 500_000] },
  { makers: ['BRS', 'ACM'], nouns: ['Torque Wrench', 'Cordless Drill', 'Angle Grinder', 'Digital Caliper', 'Socket Set'], materials: ['Chrome Vanadium', 'Professional', 'Heavy Duty'],
    spec: (r) => r.pick(['1/2"', '3/8"', '18 V', '125 mm', '150 mm', '40-200 Nm', '94 pcs']), price: [2_000, 80_000] },
  { makers: ['SGP', 'BRS'], nouns: ['Safety Helmet', 'Cut-Resistant Gloves', 'Safety Goggles', 'Ear Defenders', 'Hi-Vis Vest'], materials: ['EN 397', 'EN 388', 'EN 166', 'EN 352', 'EN ISO 20471'],
    spec: (r) => r.pick(['Size S', 'Size M', 'Size L', 'Size XL', 'One Size', 'Class 2']), price: [300, 9_000] },
  { makers: ['HYD', 'NVK'], nouns: ['Hydraulic Hose', 'Hydraulic Cylinder', 'Quick Coupling', 'Pressure Gauge'], materials: ['2SN Steel Braid', 'Chromed Steel', 'Zinc-plated'],
    spec: (r) => r.pick(['DN6', 'DN10', 'DN12', '250 bar', '400 bar', 'Ø40/25 x 300']), price: [1_200, 150_000] },
];

const PRODUCT_BLURBS = [
  'Suitable for continuous industrial use.',
  'Delivered with a certificate of conformity.',
  'Interchangeable with common market standards.',
  'Tested to the manufacturer\'s quality specification.',
  'Recommended for maintenance and repair stock.',
  'Low maintenance, long service life.',
];

/** Generates the real companies and products for one seed, in index order. */
export class World {
  private readonly usedDomains = new Set<string>();
  private readonly usedVats = new Set<string>();
  private readonly usedGtins = new Set<string>();
  private readonly skuCounters = new Map<string, number>();
  private readonly countryWeights: ReadonlyArray<readonly [CountryCode, number]>;

  constructor(
    private readonly seed: number,
    private readonly countries: Record<CountryCode, CountryProfile>,
  ) {
    this.countryWeights = COUNTRY_CODES.map((code) => [code, countries[code].weight] as const);
  }

  /** Reserves identifiers of an entity made elsewhere (the showcase), so generated ones never collide. */
  reserve(ids: { domain?: string; vat?: string; gtin?: string }): void {
    if (ids.domain) this.usedDomains.add(ids.domain);
    if (ids.vat) this.usedVats.add(ids.vat);
    if (ids.gtin) this.usedGtins.add(ids.gtin);
  }

  company(index: number): RealCompany {
    const rng = new Random(this.seed, 1, index);
    const country = this.countries[rng.weighted(this.countryWeights)];
    country.faker.seed(rng.uint32());
    const baseName = this.companyBaseName(country, rng);
    const legalForm = rng.weighted(country.legalForms);
    const domain = this.uniqueDomain(baseName, country, rng);
    let vat = country.makeVat(rng);
    while (this.usedVats.has(vat)) vat = country.makeVat(rng);
    this.usedVats.add(vat);
    const city = rng.pick(country.cities);
    return {
      index,
      truthId: truthId('company', index),
      country,
      baseName,
      legalForm,
      name: `${baseName} ${legalForm.canonical}`,
      vat,
      domain,
      email: `${rng.pick(['info', 'office', 'billing', 'accounts', 'sales', 'contact'])}@${domain}`,
      phone: { country, area: city.area, subscriber: String(rng.int(2, 9)) + rng.digits(country.code === 'FR' ? 7 : country.subscriberDigits - 1) },
      street: country.makeStreet(rng),
      city,
      zip: country.makeZip(city, rng),
      creditLimit: rng.weighted([[5_000, 3], [10_000, 4], [25_000, 4], [50_000, 3], [100_000, 2], [250_000, 1]] as const),
      industry: rng.pick(INDUSTRIES),
      customerSinceDays: rng.int(30, 3_650),
    };
  }

  product(index: number): RealProduct {
    const rng = new Random(this.seed, 2, index);
    const category = rng.pick(CATEGORIES);
    const maker = rng.pick(category.makers);
    const manufacturer = MANUFACTURERS.find((m) => m.code === maker)!;
    const noun = rng.pick(category.nouns);
    const spec = category.spec(rng);
    const material = rng.pick(category.materials);
    const next = (this.skuCounters.get(manufacturer.code) ?? 10_000) + rng.int(1, 9);
    this.skuCounters.set(manufacturer.code, next);
    let gtin: string;
    do {
      const first12 = manufacturer.gs1 + rng.digits(5);
      gtin = first12 + gtin13CheckDigit(first12);
    } while (this.usedGtins.has(gtin));
    this.usedGtins.add(gtin);
    const [low, high] = category.price;
    // Log-uniform, so cheap and expensive items both appear; prices end in 0 or 9 cents.
    const raw = Math.exp(Math.log(low) + rng.next() * (Math.log(high) - Math.log(low)));
    const listPriceCents = Math.max(10, Math.round(raw / 10) * 10 - (rng.chance(0.6) ? 1 : 0));
    const name = `${noun} ${spec}, ${material}`;
    return {
      index,
      truthId: truthId('product', index),
      sku: `${manufacturer.code}-${next}`,
      gtin,
      name,
      listPriceCents,
      manufacturer: manufacturer.name,
      description: `${noun} ${spec} (${material}) by ${manufacturer.name}. ${rng.pick(PRODUCT_BLURBS)}`,
    };
  }

  private companyBaseName(country: CountryProfile, rng: Random): string {
    const f = country.faker;
    const shape = rng.weighted([['family', 2], ['pair', 2], ['sector', 4], ['brand', 4]] as const);
    switch (shape) {
      case 'family':
        return f.person.lastName();
      case 'pair':
        return `${f.person.lastName()} & ${f.person.lastName()}`;
      case 'sector':
        return `${f.person.lastName()} ${rng.pick(country.sectors)}`;
      case 'brand': {
        const brand = rng.pick(BRAND_HEADS) + rng.pick(BRAND_TAILS);
        return rng.chance(0.6) ? `${brand} ${rng.pick(BRAND_WORDS)}` : brand;
      }
    }
  }

  private uniqueDomain(baseName: string, country: CountryProfile, rng: Random): string {
    const slug = slugify(baseName) || 'company';
    const tld = country.code === 'US' || rng.chance(0.2) ? 'com' : country.tld;
    let domain = `${slug}.${tld}`;
    if (this.usedDomains.has(domain)) domain = `${slug}-${country.code.toLowerCase()}.${tld}`;
    for (let n = 2; this.usedDomains.has(domain); n++) domain = `${slug}${n}.${tld}`;
    this.usedDomains.add(domain);
    return domain;
  }
}
