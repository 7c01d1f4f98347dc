import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import sharp from "sharp";
import { mnemonicToAccount } from "viem/accounts";

import { PRODUCT_CATEGORIES } from "../protocol/vocabulary/catalog-vocabulary.js";
import type { ProductCategory, ProductUnit } from "../protocol/vocabulary/catalog-vocabulary.js";
import { Farm } from "../api/src/entities/Farm.js";
import { Product } from "../api/src/entities/Product.js";
import { ProductPhoto } from "../api/src/entities/ProductPhoto.js";
import { StockChange } from "../api/src/entities/StockChange.js";
import { User } from "../api/src/entities/User.js";
import { Wallet } from "../api/src/entities/Wallet.js";
import { newPhotoKey } from "../api/src/photos/new-photo-key.js";
import type { PhotoStore } from "../api/src/photos/photo-store.js";
import { processPhoto } from "../api/src/photos/process-photo.js";
import { LOCAL_ROLES } from "../deploy/local.js";

/** Hardhat's public test mnemonic (as in scripts/dev.ts): the local accounts are derived from it, index by index. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const LOCAL_CHAIN_ID = 31337;

interface SeedProduct {
  name: string;
  description: string;
  category: ProductCategory;
  unit: ProductUnit;
  priceMinor: number;
  stock: number;
  /** Background of the generated photo. */
  colour: string;
}

interface SeedFarm {
  name: string;
  slug: string;
  region: string;
  description: string;
  products: SeedProduct[];
}

const item = (
  name: string,
  category: ProductCategory,
  unit: ProductUnit,
  priceMinor: number,
  stock: number,
  colour: string,
  description: string,
): SeedProduct => ({ name, category, unit, priceMinor, stock, colour, description });

/** One farm per local farmer account (LOCAL_ROLES.farmers, in order). */
const SEED_FARMS: SeedFarm[] = [
  {
    name: "Padma River Farm",
    slug: "padma-river-farm",
    region: "Rajshahi",
    description:
      "Family farm on the Padma's silt plains: vegetables, mangoes and rice, grown without synthetic pesticides.",
    products: [
      item("Heirloom tomatoes", "vegetables", "kg", 450, 120, "#d94f30", "Vine-ripened, picked the morning they ship."),
      item(
        "Green chillies",
        "vegetables",
        "kg",
        300,
        40,
        "#3f8f3a",
        "Hot bird's-eye chillies for curries and chutneys.",
      ),
      item(
        "Red lentils",
        "pulses",
        "kg",
        220,
        200,
        "#e0773a",
        "Masoor dal, split and cleaned; cooks in twenty minutes.",
      ),
      item(
        "Himsagar mangoes",
        "fruits",
        "kg",
        650,
        80,
        "#f2b635",
        "The sweetest Rajshahi mango, in season from late May.",
      ),
      item(
        "Aromatic rice",
        "grains",
        "bag",
        1800,
        60,
        "#e8dcb5",
        "Chinigura, a small-grained fragrant rice, in 5 kg bags.",
      ),
      item("Fresh spinach", "vegetables", "bunch", 120, 90, "#2f6b2f", "Tender leaves, washed and bundled."),
      item("Bottle gourd", "vegetables", "piece", 90, 70, "#9cc47a", "Lau, harvested young for soups and bhaji."),
      item("Farm eggs", "eggs", "dozen", 420, 50, "#f1e4c8", "From free-ranging hens fed on our own grain."),
      item("Mustard greens", "vegetables", "bunch", 110, 60, "#5d8f2e", "Peppery shorshe shaak, cut to order."),
      item("Potatoes", "vegetables", "kg", 80, 400, "#b98b4e", "Diamond potatoes, good for frying and curries."),
    ],
  },
  {
    name: "Sylhet Hills Tea & Spice",
    slug: "sylhet-hills-tea-spice",
    region: "Sylhet",
    description: "A hillside garden growing tea, citrus and spices between the forest and the haors.",
    products: [
      item("Black tea leaves", "other", "g", 900, 150, "#5a3a22", "Second-flush orthodox black tea, 250 g packs."),
      item("Green tea", "herbs", "g", 1100, 100, "#7fa650", "Hand-rolled green tea, lightly steamed."),
      item(
        "Shatkora citrus",
        "fruits",
        "piece",
        150,
        60,
        "#c7c23a",
        "The aromatic Sylheti citrus for beef and fish curries.",
      ),
      item("Ginger root", "spices", "kg", 520, 75, "#d8b36a", "Young ginger, juicy and fiery."),
      item("Turmeric", "spices", "kg", 600, 90, "#e3a11b", "Sun-dried turmeric fingers, ground on request."),
      item("Bay leaves", "herbs", "g", 250, 120, "#6b8c42", "Tej pata, dried in the shade to keep their oil."),
      item("Pineapples", "fruits", "piece", 180, 110, "#e7c341", "Honey Queen pineapples from the hill slopes."),
      item("Lemongrass", "herbs", "bunch", 100, 80, "#a5c96b", "Fresh stalks for tea and curries."),
      item("Black pepper", "spices", "g", 1400, 40, "#2e2a26", "Whole peppercorns from vines on our shade trees."),
      item("Jackfruit", "fruits", "piece", 700, 25, "#9bb340", "Whole ripe jackfruit, the national fruit."),
    ],
  },
  {
    name: "Sundarbans Honey Co-op",
    slug: "sundarbans-honey-co-op",
    region: "Khulna",
    description: "A cooperative of honey gatherers and fishers on the edge of the mangrove forest.",
    products: [
      item(
        "Khalisha honey",
        "honey",
        "litre",
        2200,
        45,
        "#e9a825",
        "Wild mangrove honey from khalisha blossoms, raw and unheated.",
      ),
      item("Garan honey", "honey", "litre", 1900, 30, "#c9831c", "Darker, richer honey from garan flowers."),
      item("Hilsa fish", "fish", "kg", 1500, 20, "#a9b8c2", "River hilsa, caught in season and iced at once."),
      item("Tiger prawns", "fish", "kg", 1700, 25, "#e38b6d", "Bagda prawns from tidal ponds."),
      item("Mustard oil", "oils", "litre", 380, 150, "#d9b531", "Cold-pressed in a wooden ghani, pungent and golden."),
      item("Coconut oil", "oils", "litre", 450, 60, "#f4efe1", "Pressed from sun-dried copra."),
      item("Duck eggs", "eggs", "dozen", 480, 40, "#e6e1d3", "From ducks foraging in the canals."),
      item("Buffalo yoghurt", "dairy", "piece", 260, 35, "#f7f3ea", "Set in clay pots, thick and slightly sour."),
      item("Fresh milk", "dairy", "litre", 120, 70, "#fbfaf5", "Morning milk from grass-fed cows."),
      item("Goat meat", "meat", "kg", 1300, 15, "#a8473b", "From goats raised on the co-op's grazing land."),
    ],
  },
];

/** The lower-case addresses of the local farmer accounts (Hardhat's accounts at LOCAL_ROLES.farmers). */
export function localFarmerAddresses(): string[] {
  return LOCAL_ROLES.farmers.map((addressIndex) =>
    mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex }).address.toLowerCase(),
  );
}

/** A product photo drawn locally: its colour, a plate and its name. No network, no copied images. */
export async function renderSeedPhoto(name: string, colour: string): Promise<Buffer> {
  const escaped = name.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="960" viewBox="0 0 1600 1200">
    <rect width="1600" height="1200" fill="${colour}"/>
    <circle cx="800" cy="520" r="330" fill="#ffffff" fill-opacity="0.28"/>
    <circle cx="800" cy="520" r="230" fill="#000000" fill-opacity="0.08"/>
    <rect x="0" y="960" width="1600" height="240" fill="#000000" fill-opacity="0.35"/>
    <text x="800" y="1110" font-family="sans-serif" font-size="110" font-weight="bold" fill="#ffffff"
      text-anchor="middle">${escaped}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface SeedCatalogResult {
  farms: number;
  products: number;
  /** How many farms and products this run added; zero on a second run. */
  createdFarms: number;
  createdProducts: number;
}

/**
 * Seeds the local shop: a farmer account (with its wallet) for each local farmer address, their farms, and ten
 * products each with a generated photo. Idempotent: what exists (farms by owner, products by farm and name, photos
 * of a product) is left alone, so running it on every `npm run dev` never duplicates anything.
 */
export async function seedCatalog({
  orm,
  photoStore,
  currency = "USD",
}: {
  orm: MikroORM;
  photoStore: PhotoStore;
  /** The shop currency (SHOP_CURRENCY) the prices are in. */
  currency?: string;
}): Promise<SeedCatalogResult> {
  const result: SeedCatalogResult = { farms: 0, products: 0, createdFarms: 0, createdProducts: 0 };
  const addresses = localFarmerAddresses();
  for (const [index, seed] of SEED_FARMS.entries()) {
    const em = orm.em.fork();
    const owner = await farmerAccount(em, addresses[index]);
    let farm = await em.findOne(Farm, { owner });
    if (farm === null) {
      farm = em.create(Farm, {
        owner,
        name: seed.name,
        slug: seed.slug,
        region: seed.region,
        description: seed.description,
        // Escrow checkout needs the farm's payout wallet: the farmer's own local account, which ships and withdraws.
        payoutWallet: addresses[index],
      });
      await em.flush();
      result.createdFarms++;
    }
    result.farms++;
    for (const data of seed.products) {
      let product = await em.findOne(Product, { farm, name: data.name });
      if (product === null) {
        const { name, description, category, unit, priceMinor, stock } = data;
        product = em.create(Product, {
          farm,
          name,
          description,
          category,
          unit,
          priceMinor,
          stock,
          currency,
          status: "active",
        });
        em.create(StockChange, { product, delta: stock, stockAfter: stock, reason: "created", actor: owner });
        await em.flush();
        result.createdProducts++;
      }
      result.products++;
      if ((await em.count(ProductPhoto, { product })) === 0) {
        const processed = await processPhoto(await renderSeedPhoto(data.name, data.colour));
        const key = newPhotoKey();
        await photoStore.put(key, processed.renditions);
        em.create(ProductPhoto, { product, key, position: 0, width: processed.width, height: processed.height });
        await em.flush();
      }
    }
  }
  return result;
}

/** The user behind a local wallet, created with the farmer role (and the wallet linked) when missing. */
async function farmerAccount(em: EntityManager, address: string): Promise<User> {
  const wallet = await em.findOne(Wallet, { address }, { populate: ["user"] });
  if (wallet === null) {
    const user = em.create(User, { email: null, roles: ["buyer", "farmer"] });
    em.create(Wallet, { address, user, chainId: LOCAL_CHAIN_ID });
    await em.flush();
    return user;
  }
  const user = wallet.user;
  if (!user.roles.includes("farmer")) {
    user.roles = [...user.roles, "farmer"];
    await em.flush();
  }
  return user;
}

const BULK_ADJECTIVES = ["Fresh", "Organic", "Hand-picked", "Sun-dried", "Wild", "Heirloom", "Local", "Seasonal"];
const BULK_NOUNS = [
  "tomatoes",
  "okra",
  "eggplant",
  "pumpkin",
  "cucumber",
  "lentils",
  "chickpeas",
  "mangoes",
  "guavas",
  "bananas",
  "papaya",
  "litchi",
  "rice",
  "wheat flour",
  "honey",
  "ghee",
  "paneer",
  "coriander",
  "mint",
  "cumin",
  "chilli powder",
  "sesame oil",
  "catfish",
  "prawns",
  "duck eggs",
];

/**
 * Inserts `count` active products (with their opening stock changes) across `farmIds` in a few large statements:
 * data for benchmarks of listing and search. Names, categories, prices and creation times vary deterministically.
 */
export async function insertBulkProducts(
  em: EntityManager,
  {
    farmIds,
    count,
    currency = "USD",
    batchSize = 5_000,
  }: { farmIds: readonly string[]; count: number; currency?: string; batchSize?: number },
): Promise<number> {
  if (farmIds.length === 0) throw new Error("insertBulkProducts needs at least one farm");
  const json = JSON.stringify;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    await em.execute(
      `WITH inserted AS (
         INSERT INTO products (id, farm_id, name, description, category, unit, price_minor, currency, stock, status, created_at)
         SELECT gen_random_uuid(),
           (?::jsonb ->> (i % ?))::uuid,
           (?::jsonb ->> (i % ?)) || ' ' || (?::jsonb ->> ((i / 7) % ?)) || ' #' || i,
           'Batch ' || i || ' from the bulk loader: ' || (?::jsonb ->> ((i / 3) % ?)),
           ?::jsonb ->> (i % ?),
           'kg',
           100 + (i * 7919) % 9900,
           ?,
           (i * 31) % 500,
           'active',
           now() - make_interval(secs => i)
         FROM generate_series(?::integer, ?::integer) AS i
         RETURNING id, stock
       )
       INSERT INTO stock_changes (product_id, delta, stock_after, reason)
       SELECT id, stock, stock, 'created' FROM inserted`,
      [
        json(farmIds),
        farmIds.length,
        json(BULK_ADJECTIVES),
        BULK_ADJECTIVES.length,
        json(BULK_NOUNS),
        BULK_NOUNS.length,
        json(BULK_NOUNS),
        BULK_NOUNS.length,
        json(PRODUCT_CATEGORIES),
        PRODUCT_CATEGORIES.length,
        currency,
        start + 1,
        end,
      ],
    );
  }
  return count;
}
