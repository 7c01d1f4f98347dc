import type { Pool } from "pg";

const WORDS = [
  "tomato",
  "potato",
  "onion",
  "garlic",
  "ginger",
  "spinach",
  "cabbage",
  "cauliflower",
  "pumpkin",
  "gourd",
  "mango",
  "banana",
  "guava",
  "papaya",
  "lychee",
  "jackfruit",
  "lemon",
  "orange",
  "pineapple",
  "coconut",
  "rice",
  "wheat",
  "lentil",
  "chickpea",
  "mustard",
  "honey",
  "milk",
  "yogurt",
  "ghee",
  "paneer",
  "egg",
  "chicken",
  "fish",
  "prawn",
  "turmeric",
  "chili",
  "coriander",
  "cumin",
  "mint",
  "basil",
];
const ADJECTIVES = ["organic", "fresh", "heirloom", "local", "sweet", "wild", "golden", "red", "green", "aromatic"];
const CATEGORIES = ["vegetables", "fruits", "grains", "pulses", "dairy", "eggs", "meat", "fish", "honey", "herbs"];
const REGIONS = ["Dhaka", "Rajshahi", "Khulna", "Sylhet", "Chattogram", "Barishal", "Rangpur", "Mymensingh"];

export interface SeededCatalog {
  productIds: string[];
  buyerIds: string[];
  words: readonly string[];
}

/**
 * Bulk-inserts a realistic catalog straight into the API's tables (the migrations must have run): `farms` farms with
 * their farmer users, `products` active products spread over them with stock enough never to run out, and `buyers`
 * buyer accounts. One statement per table, so 10,000 products take about a second.
 */
export async function seedBenchCatalog(
  db: Pool,
  counts: { farms: number; products: number; buyers: number },
): Promise<SeededCatalog> {
  await db.query(
    `INSERT INTO users (id, email, roles)
     SELECT gen_random_uuid(), 'farmer' || n || '@bench.example', '{buyer,farmer}' FROM generate_series(1, $1) n`,
    [counts.farms],
  );
  await db.query(
    `INSERT INTO farms (id, owner_id, name, slug, region, description)
     SELECT gen_random_uuid(), u.id, 'Farm ' || n, 'farm-' || n, ($1::text[])[1 + n % array_length($1::text[], 1)],
            'A family farm growing seasonal produce.'
     FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE 'farmer%@bench.example') u`,
    [REGIONS],
  );
  await db.query(
    `INSERT INTO products (id, farm_id, name, description, category, unit, price_minor, currency, stock, status)
     SELECT gen_random_uuid(), f.id,
            initcap(($2::text[])[1 + n % array_length($2::text[], 1)] || ' ' ||
              ($3::text[])[1 + (n / 7) % array_length($3::text[], 1)]) || ' ' || n,
            'Grown without shortcuts and picked to order: ' || ($3::text[])[1 + (n / 3) % array_length($3::text[], 1)] ||
              ' from a ' || ($2::text[])[1 + (n / 11) % array_length($2::text[], 1)] || ' field.',
            ($4::text[])[1 + n % array_length($4::text[], 1)], 'kg', 50 + (n * 37) % 5000, 'USD', 1000000, 'active'
     FROM generate_series(1, $1) n
     JOIN (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS i FROM farms) f ON f.i = n % $5`,
    [counts.products, ADJECTIVES, WORDS, CATEGORIES, counts.farms],
  );
  const { rows: buyers } = await db.query<{ id: string }>(
    `INSERT INTO users (id, email) SELECT gen_random_uuid(), 'buyer' || n || '@bench.example' FROM generate_series(1, $1) n
     RETURNING id`,
    [counts.buyers],
  );
  const { rows: products } = await db.query<{ id: string }>("SELECT id FROM products ORDER BY id");
  await db.query("ANALYZE");
  return { productIds: products.map((row) => row.id), buyerIds: buyers.map((row) => row.id), words: WORDS };
}
