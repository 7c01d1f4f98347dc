import type { Locator, Page } from "playwright-core";

/** The page's section under the heading `name` (exactly), as a journey finds a part of a page. */
export function pageSection(page: Page, name: string): Locator {
  return page.locator("section", { has: page.getByRole("heading", { name, exact: true }) });
}
