/** Every role a user can hold. Buyers shop; farmers sell; arbiters resolve disputes; admins run the platform. */
export const ROLES = ["buyer", "farmer", "arbiter", "admin"] as const;

export type Role = (typeof ROLES)[number];
