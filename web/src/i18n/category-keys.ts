import type { ProductCategory, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary";

// Spelled out, not built from the value, so the catalog test can see that each key is used.

export const CATEGORY_KEYS: Readonly<Record<ProductCategory, string>> = {
  vegetables: "category.vegetables",
  fruits: "category.fruits",
  grains: "category.grains",
  pulses: "category.pulses",
  dairy: "category.dairy",
  eggs: "category.eggs",
  meat: "category.meat",
  fish: "category.fish",
  honey: "category.honey",
  herbs: "category.herbs",
  spices: "category.spices",
  oils: "category.oils",
  other: "category.other",
};

export const CATEGORIES = Object.keys(CATEGORY_KEYS) as ProductCategory[];

export const UNIT_KEYS: Readonly<Record<ProductUnit, string>> = {
  kg: "unit.kg",
  g: "unit.g",
  litre: "unit.litre",
  piece: "unit.piece",
  dozen: "unit.dozen",
  bunch: "unit.bunch",
  bag: "unit.bag",
};
