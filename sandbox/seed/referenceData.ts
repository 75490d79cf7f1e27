import { COUNTRY_CODES } from './countries.js';
import type { SeedContext } from './context.js';
import { STOCK_LOCATIONS } from './catalog.js';

/** The small fixed tables: currencies, the countries companies live in, stock locations. */
export function seedReferenceData(ctx: SeedContext): void {
  ctx.buffers.currency.push(ctx.currencyIds.EUR, 'EUR', '€', true);
  ctx.buffers.currency.push(ctx.currencyIds.USD, 'USD', '$', true);
  COUNTRY_CODES.forEach((code, i) => {
    const country = ctx.countries[code];
    ctx.countryIds[code] = i + 1;
    ctx.buffers.country.push(i + 1, JSON.stringify({ en_US: country.name }), code, country.phoneCode);
  });
  for (const location of STOCK_LOCATIONS) ctx.buffers.location.push(location.id, location.name, location.completeName, location.usage, true);
}
