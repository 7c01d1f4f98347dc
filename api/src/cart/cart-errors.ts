import { ApiError } from "../errors.js";

/** The quantity asked for exceeds the product's stock; `details.available` says how many there are. */
export class InsufficientStockError extends ApiError {
  readonly status = 409;
  readonly code = "insufficient_stock";

  constructor(productId: string, requested: number, available: number) {
    super(`Only ${available} of this product ${available === 1 ? "is" : "are"} in stock`, {
      productId,
      requested,
      available,
    });
  }
}

/** The product exists but is a draft or archived, so it cannot be bought. */
export class ProductNotOnSaleError extends ApiError {
  readonly status = 409;
  readonly code = "product_not_on_sale";

  constructor(productId: string, productStatus: string) {
    super("This product is not on sale", { productId, status: productStatus });
  }
}

/** A cart is paid in one currency; the product is priced in another. */
export class CartCurrencyMismatchError extends ApiError {
  readonly status = 409;
  readonly code = "currency_mismatch";

  constructor(productId: string, currency: string, cartCurrency: string) {
    super(`This product is priced in ${currency}; the cart is in ${cartCurrency}`, {
      productId,
      currency,
      cartCurrency,
    });
  }
}

/** The cart already holds as many different products as it may. */
export class CartFullError extends ApiError {
  readonly status = 409;
  readonly code = "cart_full";

  constructor(maxLines: number) {
    super(`A cart holds at most ${maxLines} different products`, { maxLines });
  }
}
