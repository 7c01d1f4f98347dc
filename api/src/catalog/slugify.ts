const MAX_SLUG_LENGTH = 60;

/**
 * A URL slug of a name: lower-case ASCII words joined by hyphens, accents folded (`Café` → `cafe`). A name with no
 * Latin letters or digits at all (a Bengali name) gets `fallback`, which callers make unique with a suffix.
 */
export function slugify(name: string, fallback = "farm"): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, "");
  return slug === "" ? fallback : slug;
}
