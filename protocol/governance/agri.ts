/**
 * The AGRI token as amounts of it are written: the symbol AgriToken's constructor gives it (`ERC20("AgriDAO", "AGRI")`)
 * and OpenZeppelin ERC20's 18 decimals. Neither is a constant the build can read from the compiled code, so they are
 * written here once.
 */
export const AGRI = { symbol: "AGRI", decimals: 18 } as const;
