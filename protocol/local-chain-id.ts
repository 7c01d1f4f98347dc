/** Hardhat's chain id: the local development chain, which starts empty every time its node starts. */
export const LOCAL_CHAIN_ID = 31337;
