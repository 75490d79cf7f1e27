import { type SeedContext, money, sqlTimestamp } from './context.js';
import { Random } from './random.js';
import { addCrmObject, addTruth } from './records.js';
import { titleCase } from './variants.js';
import type { RealProduct, World } from './world.js';

/**
 * The product catalogue in both systems. The ERP holds the master data
 * (template + variant, SKU as default_code, GTIN as barcode) and stock per
 * warehouse; the CRM's product library holds what sales quotes, with the SKU
 * typed in various ways. Most products are in both systems.
 *
 * The first SHOWCASE_PRODUCTS products are always in both: the showcase
 * customer's orders and deals use them.
 */
export const SHOWCASE_PRODUCTS = 6;

/** Internal stock locations, as Odoo names them: a warehouse's short code and "Stock". */
export const STOCK_LOCATIONS = [
  { id: 1, name: 'Stock', completeName: 'WH/Stock', usage: 'internal' },
  { id: 2, name: 'Stock', completeName: 'AMS/Stock', usage: 'internal' },
  { id: 3, name: 'Stock', completeName: 'CHI/Stock', usage: 'internal' },
  { id: 4, name: 'Customers', completeName: 'Partners/Customers', usage: 'customer' },
] as const;

export function seedCatalog(ctx: SeedContext, world: World, count: number): void {
  for (let index = 1; index <= count; index++) {
    const product = world.product(index);
    const rng = new Random(ctx.seed, 3, index);
    const presence = index <= SHOWCASE_PRODUCTS ? 'both' : rng.weighted([['both', 85], ['erp', 10], ['crm', 5]] as const);
    if (presence !== 'crm') seedErpProduct(ctx, product, rng);
    if (presence !== 'erp') seedCrmProduct(ctx, product, rng);
  }
}

function seedErpProduct(ctx: SeedContext, product: RealProduct, rng: Random): void {
  const createdAt = ctx.at(rng.int(400, 2_000), rng.int(0, 86_399));
  const writtenAt = ctx.at(rng.int(1, 399), rng.int(0, 86_399));
  const templateId = ctx.nextErpId('template');
  ctx.buffers.productTemplate.push(
    templateId, JSON.stringify({ en_US: product.name }), rng.chance(0.8) ? JSON.stringify({ en_US: product.description }) : null,
    'consu', true, money(product.listPriceCents), true, sqlTimestamp(createdAt), sqlTimestamp(writtenAt),
  );
  const productId = ctx.nextErpId('product');
  ctx.buffers.product.push(productId, templateId, product.sku, rng.chance(0.92) ? product.gtin : null, true, sqlTimestamp(createdAt), sqlTimestamp(writtenAt));
  addTruth(ctx, 'product', 'erp', productId, product.truthId, product.listPriceCents);
  ctx.erpCatalog.push({ productId, sku: product.sku, name: product.name, priceCents: product.listPriceCents });
  for (const location of STOCK_LOCATIONS) {
    if (location.usage !== 'internal') continue;
    const quantity = rng.chance(0.1) ? 0 : rng.weighted([[rng.int(1, 20), 3], [rng.int(20, 200), 5], [rng.int(200, 2_000), 2]] as const);
    const reserved = quantity === 0 || rng.chance(0.5) ? 0 : rng.int(0, Math.floor(quantity * 0.3));
    const inDate = sqlTimestamp(ctx.at(rng.int(1, 300), rng.int(0, 86_399)));
    ctx.buffers.quant.push(ctx.nextErpId('quant'), productId, location.id, String(quantity), String(reserved), inDate, inDate);
  }
}

function seedCrmProduct(ctx: SeedContext, product: RealProduct, rng: Random): void {
  const name = rng.weighted([[product.name, 75], [`${product.manufacturer} ${product.name}`, 15], [titleCase(product.name), 5], [product.name.toUpperCase(), 5]] as const);
  const sku = rng.weighted([[product.sku, 70], [product.sku.toLowerCase(), 15], [product.sku.replace('-', ''), 15]] as const);
  // A separate price book now and then: within ±5 % of the ERP list price.
  const priceCents = rng.chance(0.85) ? product.listPriceCents : Math.max(1, Math.round(product.listPriceCents * (0.95 + rng.next() * 0.1)));
  const createdAt = ctx.at(rng.int(100, 1_500), rng.int(0, 86_399));
  const id = addCrmObject(ctx, 'products', {
    name,
    hs_sku: sku,
    price: money(priceCents),
    description: rng.chance(0.8) ? product.description : undefined,
  }, createdAt, ctx.at(rng.int(1, 99), rng.int(0, 86_399)));
  addTruth(ctx, 'product', 'crm', id, product.truthId, priceCents);
  ctx.crmCatalog.push({ id, sku, name, priceCents });
}
