// The API's response shapes as the web app reads them (see /api/openapi.json; api/src/routes/*/schemas.ts).

export type ProductCategory =
  | "vegetables"
  | "fruits"
  | "grains"
  | "pulses"
  | "dairy"
  | "eggs"
  | "meat"
  | "fish"
  | "honey"
  | "herbs"
  | "spices"
  | "oils"
  | "other";

export type ProductUnit = "kg" | "g" | "litre" | "piece" | "dozen" | "bunch" | "bag";

export type ProductSort = "newest" | "price_asc" | "price_desc" | "relevance";

export interface PhotoUrls {
  thumbnailUrl: string;
  displayUrl: string;
}

export interface ProductSummary {
  id: string;
  name: string;
  description: string;
  category: ProductCategory;
  unit: ProductUnit;
  priceMinor: number;
  currency: string;
  stock: number;
  status: "draft" | "active" | "archived";
  createdAt: string;
  updatedAt: string;
  farm: { id: string; slug: string; name: string; region: string };
  cover: PhotoUrls | null;
}

export interface ProductPhoto extends PhotoUrls {
  id: string;
  position: number;
  width: number;
  height: number;
}

export interface Product extends ProductSummary {
  photos: ProductPhoto[];
}

export interface ProductPage {
  products: ProductSummary[];
  nextCursor: string | null;
}

/**
 * A product's stock as its farmer sees it: on hand (what should be on the shelf) = available + held (unpaid orders) +
 * awaiting shipment (sold) − shortfall (what open orders hold that the farmer's last count did not find).
 */
export interface StockLevels {
  productId: string;
  onHand: number;
  available: number;
  held: number;
  awaitingShipment: number;
  shortfall: number;
}

export interface Farm {
  id: string;
  slug: string;
  name: string;
  region: string;
  description: string;
  payoutWallet: string | null;
  photo: PhotoUrls | null;
  createdAt: string;
  updatedAt: string;
}

export interface FarmDetail extends Farm {
  activeProductsCount: number;
}

export interface FarmPage {
  farms: Farm[];
  nextCursor: string | null;
}

export interface CartLine {
  productId: string;
  name: string;
  unit: ProductUnit;
  currency: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
  stock: number;
  problem: "not_on_sale" | "currency_mismatch" | "insufficient_stock" | null;
  addedAt: string;
}

export interface CartGroup {
  farm: { id: string; name: string; slug: string };
  lines: CartLine[];
  subtotalMinor: number;
  platformFeeMinor: number | null;
  farmReceivesMinor: number | null;
}

export interface Cart {
  currency: string | null;
  groups: CartGroup[];
  platformFee:
    | { status: "known"; chainId: number; feeBps: number; sinceOrderId: string }
    | { status: "unknown"; chainId: number; reason: string };
  totalMinor: number;
  platformFeeMinor: number | null;
  lineCount: number;
  itemCount: number;
  checkoutReady: boolean;
}

export interface Account {
  id: string;
  email: string | null;
  roles: ("buyer" | "farmer" | "arbiter" | "admin")[];
  hasPassword: boolean;
  wallets: { address: string; chainId: number; linkedAt: string }[];
  terms: { version: string; acceptedAt: string } | null;
  createdAt: string;
}

export interface SignedIn {
  accessToken: string;
  expiresIn: number;
  user: Account;
}

export interface SiweNonce {
  nonce: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: number;
}

export type OrderStatus =
  | "awaiting_payment"
  | "paid"
  | "shipped"
  | "delivered"
  | "disputed"
  | "resolved"
  | "refunded"
  | "cancelled"
  | "expired";

export type PaymentMethod = "escrow" | "card";

/** What a buyer may check out with: `eth` is paid into the same escrow (its orders are `escrow` with a quote). */
export type CheckoutMethod = PaymentMethod | "eth";

/** The price-feed round an order's wei was computed from: `price / 10**priceDecimals` shop currency per ETH. */
export interface EthQuote {
  price: string;
  priceDecimals: number;
  roundId: string;
  expiresAt: string;
}

export interface OrderItem {
  productId: string;
  name: string;
  unit: ProductUnit;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

/** IMarketplaceEscrow.OrderState without None, as the indexer spells it. */
export type EscrowState = "Funded" | "Shipped" | "Completed" | "Refunded" | "Disputed" | "Resolved";

/** The escrow order linked to an order, as indexed (whatever the order's status). */
export interface EscrowOnChain {
  state: EscrowState;
  /** The ship deadline while Funded, the confirm deadline while Shipped, the arbitration deadline while Disputed. */
  deadline: string;
  buyer: string;
  seller: string;
  feeBps: number;
}

export interface OrderSummary {
  id: string;
  checkoutId: string;
  farm: { id: string; name: string; slug: string };
  buyerId: string;
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  currency: string;
  subtotalMinor: number;
  feeBps: number;
  feeMinor: number;
  totalMinor: number;
  /** `amount` is in token units, or wei when `quote` is set (the order is paid in ETH). */
  escrow: {
    ref: `0x${string}`;
    seller: `0x${string}`;
    amount: string;
    quote: EthQuote | null;
    orderId: string | null;
    onChain: EscrowOnChain | null;
  } | null;
  expiresAt: string;
  paidAt: string | null;
  /** A paid card order not shipped by then is refunded in full; null for escrow orders (their deadline is on-chain). */
  shipBy: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  items: OrderItem[];
}

export interface OrderFlag {
  kind:
    | "amount_mismatch"
    | "seller_mismatch"
    | "token_mismatch"
    | "unknown_ref"
    | "late_payment"
    | "chargeback"
    | "quote_expired"
    | "refund_failed"
    | "farm_debt"
    | "duplicate_payment"
    | "foreign_payer";
  details: Record<string, unknown>;
  createdAt: string;
  resolvedAt: string | null;
}

export interface OrderEvent {
  kind: string;
  occurredAt: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

export interface OrderDetail extends OrderSummary {
  flags: OrderFlag[];
  timeline: OrderEvent[];
}

export interface OrderPage {
  orders: OrderSummary[];
  nextCursor: string | null;
}

export interface FlagPage {
  flags: (OrderFlag & { id: string; orderId: string | null })[];
  nextCursor: string | null;
}

interface CheckoutCommon {
  checkoutId: string;
  currency: string;
  expiresAt: string;
  totalMinor: number;
  feeMinor: number;
  orders: OrderSummary[];
}

export interface EscrowPayment {
  chainId: number;
  escrowAddress: `0x${string}`;
  token: { address: `0x${string}`; decimals: number };
  approval: { spender: `0x${string}`; amount: string };
  deadline: string;
  deadlineUnix: number;
  /** The wallets linked to the buyer's account: a payment from any other wallet is ignored. */
  payers: `0x${string}`[];
  call: EscrowCall<"0">;
}

type EscrowCall<Value extends string> = {
  functionName: "createOrder" | "createOrders";
  to: `0x${string}`;
  data: `0x${string}`;
  value: Value;
};

/** Paying an ETH checkout: send `call` (its value is `value` wei) before `quote.expiresAt`; no approval. */
export interface EthPayment {
  chainId: number;
  escrowAddress: `0x${string}`;
  value: string;
  quote: EthQuote & { feedAddress: `0x${string}`; expiresAtUnix: number };
  deadline: string;
  deadlineUnix: number;
  /** As EscrowPayment.payers. */
  payers: `0x${string}`[];
  call: EscrowCall<string>;
}

/** The escrow call that refunds a payment which came after its order was cancelled, for the farm's wallet. */
export interface DeclineOrderCall {
  chainId: number;
  to: `0x${string}`;
  data: `0x${string}`;
  value: "0";
  /** The farm's payout wallet, the only one the escrow lets send it. */
  from: `0x${string}`;
  functionName: "declineOrder";
  args: { orderId: string };
}

export type CheckoutResult =
  | (CheckoutCommon & { paymentMethod: "escrow"; escrow: EscrowPayment })
  | (CheckoutCommon & { paymentMethod: "eth"; eth: EthPayment })
  | (CheckoutCommon & { paymentMethod: "card"; card: { redirectUrl: string | null } });

export interface AppNotification {
  id: string;
  kind: string;
  orderId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: AppNotification[];
  nextCursor: string | null;
}
