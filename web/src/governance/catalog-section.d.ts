// A catalog's section on its own, as web/vite.config.ts serves `./en.json?section=<name>`.
declare module "*.json?section=governance" {
  const catalog: { governance: Record<string, unknown> };
  export default catalog;
}
