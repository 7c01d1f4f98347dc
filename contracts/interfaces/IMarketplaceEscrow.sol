// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IMarketplaceEscrow
 * @notice Holds buyers' payments for AgriDAO marketplace orders until delivery, refund or a dispute ruling.
 *
 * Lifecycle of an order:
 *
 *   Funded ──ship (seller, by the ship deadline)──▶ Shipped ──confirm (buyer) / confirm window over──▶ Completed
 *   Funded ──decline (seller) / ship deadline over──▶ Refunded
 *   Funded|Shipped ──dispute (a party, inside the window)──▶ Disputed ──settle / rule / timeout──▶ Resolved
 *
 * Every payout is credited to its owner and withdrawn by a separate call (pull payments), so a party whose
 * address cannot receive funds never blocks anybody else. The platform fee is charged only on what the seller
 * receives. The fee and the windows in force when an order is created apply to that order for its whole life.
 */
interface IMarketplaceEscrow {
    /// @notice The states an order moves through. `None` means no order has that id.
    enum OrderState {
        None,
        Funded,
        Shipped,
        Completed,
        Refunded,
        Disputed,
        Resolved
    }

    /// @notice How a disputed order was resolved.
    enum Resolution {
        Settlement,
        Ruling,
        Timeout
    }

    /// @notice Platform parameters snapshotted by every order at creation.
    /// @param feeBps Platform fee in basis points of what the seller receives.
    /// @param shipWindow Seconds the seller has, from creation, to mark the order shipped.
    /// @param confirmWindow Seconds the buyer has, from shipment, to confirm or dispute.
    /// @param arbitrationTimeout Seconds the arbiters have, from the dispute, to rule.
    struct Terms {
        uint16 feeBps;
        uint32 shipWindow;
        uint32 confirmWindow;
        uint32 arbitrationTimeout;
    }

    /// @notice One order in a batch created by {createOrders}.
    struct OrderRequest {
        address seller;
        uint256 amount;
        bytes32 ref;
    }

    /// @notice Everything the escrow knows about an order.
    /// @param deadline Meaning depends on the state: ship deadline while Funded, confirmation deadline while
    /// Shipped, arbitration deadline while Disputed, and the time of the last transition once final.
    struct OrderView {
        address buyer;
        address seller;
        address token;
        uint256 amount;
        OrderState state;
        uint64 deadline;
        bool shippedBeforeDispute;
        Terms terms;
        address settlementProposer;
        uint16 settlementBuyerBps;
    }

    /// @notice A buyer paid `amount` of `token` (address(0) for ETH) into escrow for `seller`.
    event OrderCreated(
        uint256 indexed orderId,
        bytes32 indexed ref,
        address indexed buyer,
        address seller,
        address token,
        uint256 amount,
        uint64 shipDeadline,
        uint16 feeBps,
        uint32 confirmWindow,
        uint32 arbitrationTimeout
    );

    /// @notice The seller marked the order shipped; the buyer has until `confirmDeadline` to confirm or dispute.
    event OrderShipped(uint256 indexed orderId, address indexed seller, uint64 confirmDeadline);

    /// @notice The order completed: `sellerAmount` was credited to the seller and `fee` to the treasury.
    /// @param byTimeout True when completed because the confirmation window passed, false when the buyer confirmed.
    event OrderCompleted(
        uint256 indexed orderId,
        address indexed seller,
        address token,
        uint256 sellerAmount,
        uint256 fee,
        bool byTimeout
    );

    /// @notice The order was refunded in full to the buyer.
    /// @param byTimeout True when refunded because the ship deadline passed, false when the seller declined.
    event OrderRefunded(uint256 indexed orderId, address indexed buyer, address token, uint256 amount, bool byTimeout);

    /// @notice `disputant` (the buyer or the seller) disputed the order; arbiters may rule until `arbitrationDeadline`.
    event OrderDisputed(uint256 indexed orderId, address indexed disputant, uint64 arbitrationDeadline);

    /// @notice `proposer` proposed to settle the dispute by giving the buyer `buyerBps` of the amount.
    event SettlementProposed(uint256 indexed orderId, address indexed proposer, uint16 buyerBps);

    /// @notice A disputed order was resolved: `buyerAmount` credited to the buyer, `sellerAmount` to the seller,
    /// `fee` to the treasury. `arbiter` is the ruling arbiter, or address(0) for a settlement or a timeout.
    event OrderResolved(
        uint256 indexed orderId,
        Resolution indexed resolution,
        address indexed arbiter,
        address token,
        uint16 buyerBps,
        uint256 buyerAmount,
        uint256 sellerAmount,
        uint256 fee
    );

    /// @notice `amount` of `account`'s credit in `token` was sent to `to`.
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice The DAO changed the platform parameters; orders created from `firstOrderId` on use `terms`.
    event TermsUpdated(uint256 indexed firstOrderId, Terms terms);

    /// @notice The DAO allowed or disallowed `token` as a payment token.
    event PaymentTokenSet(address indexed token, bool allowed);

    /// @notice The guardian paused or unpaused the creation of new orders.
    event Paused(address indexed account, bool paused);

    /// @notice `orderId` does not exist.
    error EscrowNonexistentOrder(uint256 orderId);
    /// @notice `orderId` is in state `current`, not in one of `expectedStates` (a bitmap over {OrderState}).
    error EscrowUnexpectedState(uint256 orderId, OrderState current, bytes32 expectedStates);
    /// @notice `account` is not the buyer of `orderId`.
    error EscrowNotBuyer(uint256 orderId, address account);
    /// @notice `account` is not the seller of `orderId`.
    error EscrowNotSeller(uint256 orderId, address account);
    /// @notice `account` is neither the buyer nor the seller of `orderId`.
    error EscrowNotParty(uint256 orderId, address account);
    /// @notice The action had to happen by `deadline`, and it is too late.
    error EscrowDeadlinePassed(uint256 orderId, uint64 deadline);
    /// @notice The action is only possible after `deadline`, and it is too early.
    error EscrowDeadlineNotReached(uint256 orderId, uint64 deadline);
    /// @notice `buyer` already used `ref`, for `orderId`.
    error EscrowDuplicateRef(address buyer, bytes32 ref, uint256 orderId);
    /// @notice `token` is not an allow-listed payment token.
    error EscrowTokenNotAllowed(address token);
    /// @notice `amount` is zero or does not fit the order's 96-bit amount field.
    error EscrowInvalidAmount(uint256 amount);
    /// @notice `seller` is address(0) or the buyer itself.
    error EscrowInvalidSeller(address seller);
    /// @notice The call sent `actual` wei where `expected` wei were due.
    error EscrowIncorrectValue(uint256 expected, uint256 actual);
    /// @notice The escrow received `received` of `token` where `expected` was sent (fee-on-transfer or broken token).
    error EscrowShortPayment(address token, uint256 expected, uint256 received);
    /// @notice New orders are paused.
    error EscrowPaused();
    /// @notice A batch must hold at least one order.
    error EscrowEmptyBatch();
    /// @notice `feeBps` is above {MAX_FEE_BPS}.
    error EscrowFeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice `window` seconds is outside the allowed bounds [`min`, `max`].
    error EscrowWindowOutOfBounds(uint256 window, uint256 min, uint256 max);
    /// @notice `buyerBps` is above 10,000.
    error EscrowInvalidSplit(uint256 buyerBps);
    /// @notice `arbiter` is the buyer or the seller of `orderId` and may not rule on it.
    error EscrowArbiterIsParty(uint256 orderId, address arbiter);
    /// @notice No settlement is proposed for `orderId`, or the caller proposed it and cannot accept it.
    error EscrowNoSettlementToAccept(uint256 orderId);
    /// @notice The proposal on `orderId` gives the buyer `proposedBps`, not the `acceptedBps` the caller accepted.
    error EscrowSettlementMismatch(uint256 orderId, uint16 proposedBps, uint16 acceptedBps);
    /// @notice `account` has no credit in `token`.
    error EscrowNothingToWithdraw(address account, address token);
    /// @notice Sending `amount` wei to `to` failed.
    error EscrowEtherTransferFailed(address to, uint256 amount);
    /// @notice address(0) was given where an account is required.
    error EscrowZeroAddress();

    /**
     * @notice Pays `amount` of `token` into escrow for an order from the caller to `seller`.
     * @dev For ETH pass `token = address(0)` and send exactly `amount` as value. For an ERC-20 the caller must have
     * approved the escrow for `amount`; the escrow measures what it receives and rejects short payments.
     * @param seller The farmer who will ship the goods and receive the payment.
     * @param token The payment token, address(0) for ETH.
     * @param amount The price, in the token's smallest unit.
     * @param ref The API's reference for this order; each buyer can use a ref once. Refs are kept per buyer, so nobody
     * can use up (front-run) a ref another buyer is about to pay with.
     * @return orderId The id the escrow assigned to the new order.
     *
     * Emits {OrderCreated}.
     * Reverts with {EscrowPaused} when paused, {EscrowTokenNotAllowed} for a token not allow-listed,
     * {EscrowInvalidSeller} for a zero seller or the caller itself, {EscrowInvalidAmount} for a zero or oversized
     * amount, {EscrowDuplicateRef} for a ref the caller used before, {EscrowIncorrectValue} when the value sent does
     * not match and {EscrowShortPayment} when the token delivers less than `amount`.
     */
    function createOrder(address seller, address token, uint256 amount, bytes32 ref)
        external
        payable
        returns (uint256 orderId);

    /**
     * @notice Like {createOrder}, approving the escrow first with an ERC-2612 permit signed by the caller.
     * @dev A permit that fails (for example because someone already submitted it) is ignored; the order then
     * proceeds if the allowance is already in place.
     * @param permitDeadline The permit signature's deadline.
     * @param v The permit signature's v.
     * @param r The permit signature's r.
     * @param s The permit signature's s.
     * @return orderId The id the escrow assigned to the new order.
     *
     * Emits {OrderCreated}. Reverts as {createOrder}.
     */
    function createOrderWithPermit(
        address seller,
        address token,
        uint256 amount,
        bytes32 ref,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 orderId);

    /**
     * @notice Opens one order per request, all paid in `token`, in a single payment (a cart with several farmers).
     * @dev For ETH send the sum of the amounts as value; for an ERC-20 approve the sum.
     * @param token The payment token, address(0) for ETH.
     * @param requests The orders to open.
     * @return orderIds The ids assigned, in the order of `requests`.
     *
     * Emits one {OrderCreated} per request. Reverts with {EscrowEmptyBatch} for no requests, otherwise as
     * {createOrder}.
     */
    function createOrders(address token, OrderRequest[] calldata requests)
        external
        payable
        returns (uint256[] memory orderIds);

    /**
     * @notice The seller marks a funded order shipped, starting the buyer's confirmation window.
     * @param orderId The order.
     *
     * Emits {OrderShipped}.
     * Reverts with {EscrowNotSeller} when the caller is not the seller, {EscrowUnexpectedState} unless Funded
     * and {EscrowDeadlinePassed} after the ship deadline.
     */
    function markShipped(uint256 orderId) external;

    /**
     * @notice The buyer confirms delivery of a shipped order; the seller is credited the amount minus the fee.
     * @param orderId The order.
     *
     * Emits {OrderCompleted}.
     * Reverts with {EscrowNotBuyer} when the caller is not the buyer and {EscrowUnexpectedState} unless Shipped.
     */
    function confirmDelivery(uint256 orderId) external;

    /**
     * @notice Completes a shipped order whose confirmation window passed without a dispute. Anyone may call it.
     * @param orderId The order.
     *
     * Emits {OrderCompleted}.
     * Reverts with {EscrowUnexpectedState} unless Shipped and {EscrowDeadlineNotReached} before the deadline.
     */
    function completeAfterTimeout(uint256 orderId) external;

    /**
     * @notice The seller declines a funded order; the buyer is credited the full amount.
     * @param orderId The order.
     *
     * Emits {OrderRefunded}.
     * Reverts with {EscrowNotSeller} when the caller is not the seller and {EscrowUnexpectedState} unless Funded.
     */
    function declineOrder(uint256 orderId) external;

    /**
     * @notice Refunds a funded order whose ship deadline passed. Anyone may call it.
     * @param orderId The order.
     *
     * Emits {OrderRefunded}.
     * Reverts with {EscrowUnexpectedState} unless Funded and {EscrowDeadlineNotReached} before the ship deadline.
     */
    function refundAfterTimeout(uint256 orderId) external;

    /**
     * @notice The buyer or the seller disputes an order, inside its ship or confirmation window.
     * @param orderId The order.
     *
     * Emits {OrderDisputed}.
     * Reverts with {EscrowNotParty} when the caller is neither party, {EscrowUnexpectedState} unless Funded or
     * Shipped and {EscrowDeadlinePassed} once the current window has passed.
     */
    function openDispute(uint256 orderId) external;

    /**
     * @notice A party proposes to settle a dispute by giving the buyer `buyerBps` of the amount (the seller gets
     * the rest, minus the fee). A new proposal replaces the previous one.
     * @param orderId The order.
     * @param buyerBps The buyer's share in basis points (0 to 10,000).
     *
     * Emits {SettlementProposed}.
     * Reverts with {EscrowNotParty}, {EscrowUnexpectedState} unless Disputed and {EscrowInvalidSplit}.
     */
    function proposeSettlement(uint256 orderId, uint16 buyerBps) external;

    /**
     * @notice The other party accepts the settlement proposed on a dispute.
     * @param orderId The order.
     * @param buyerBps The split the caller agrees to; must equal the standing proposal, so a proposal changed
     * at the last moment can never be accepted by surprise.
     *
     * Emits {OrderResolved}.
     * Reverts with {EscrowNotParty}, {EscrowUnexpectedState} unless Disputed, {EscrowNoSettlementToAccept} when
     * nothing is proposed or the caller proposed it, and {EscrowSettlementMismatch}.
     */
    function acceptSettlement(uint256 orderId, uint16 buyerBps) external;

    /**
     * @notice An arbiter appointed by the DAO rules on a dispute by splitting the amount.
     * @param orderId The order.
     * @param buyerBps The buyer's share in basis points (0 to 10,000); the seller gets the rest minus the fee.
     *
     * Emits {OrderResolved}.
     * Reverts with {AccessControlUnauthorizedAccount} unless the caller is an arbiter, {EscrowArbiterIsParty} when
     * the arbiter is the buyer or the seller, {EscrowUnexpectedState} unless Disputed, {EscrowInvalidSplit} and
     * {EscrowDeadlinePassed} after the arbitration deadline.
     */
    function rule(uint256 orderId, uint16 buyerBps) external;

    /**
     * @notice Applies the default ruling to a dispute nobody ruled on in time. Anyone may call it.
     * @dev The default: a full refund to the buyer when the order was never shipped; an even split (fee on the
     * seller's half) when it had been shipped. Money can never be stuck in a dispute.
     * @param orderId The order.
     *
     * Emits {OrderResolved}.
     * Reverts with {EscrowUnexpectedState} unless Disputed and {EscrowDeadlineNotReached} before the deadline.
     */
    function resolveAfterTimeout(uint256 orderId) external;

    /**
     * @notice Withdraws the caller's whole credit in `token` to `to`.
     * @param token The token, address(0) for ETH.
     * @param to Where to send it, for example another address when the caller's own cannot receive ETH.
     *
     * Emits {Withdrawn}.
     * Reverts with {EscrowNothingToWithdraw}, {EscrowZeroAddress} or {EscrowEtherTransferFailed}.
     */
    function withdraw(address token, address to) external;

    /**
     * @notice Sends `account`'s whole credit in `token` to `account`. Anyone may call it; funds only ever go to
     * their owner (this is how the treasury's fees are collected without a proposal).
     * @param account The owner of the credit.
     * @param token The token, address(0) for ETH.
     *
     * Emits {Withdrawn}.
     * Reverts with {EscrowNothingToWithdraw} or {EscrowEtherTransferFailed}.
     */
    function withdrawFor(address account, address token) external;

    /**
     * @notice Sets the platform fee for orders created from now on. Only the DAO's timelock.
     * @param feeBps The fee in basis points, at most {MAX_FEE_BPS}.
     *
     * Emits {TermsUpdated}. Reverts with {EscrowFeeTooHigh}.
     */
    function setFee(uint16 feeBps) external;

    /**
     * @notice Sets the ship, confirmation and arbitration windows for orders created from now on. Only the DAO's
     * timelock.
     * @param shipWindow Seconds a seller has to ship, within [{MIN_WINDOW}, {MAX_WINDOW}].
     * @param confirmWindow Seconds a buyer has to confirm or dispute after shipment, within the same bounds.
     * @param arbitrationTimeout Seconds arbiters have to rule, within [{MIN_ARBITRATION_TIMEOUT},
     * {MAX_ARBITRATION_TIMEOUT}].
     *
     * Emits {TermsUpdated}. Reverts with {EscrowWindowOutOfBounds}.
     */
    function setWindows(uint32 shipWindow, uint32 confirmWindow, uint32 arbitrationTimeout) external;

    /**
     * @notice Allows or disallows an ERC-20 as a payment token for new orders. Only the DAO's timelock. Orders
     * already open in a disallowed token still settle and withdraw normally.
     * @param token The ERC-20.
     * @param allowed Whether new orders may be paid in it.
     *
     * Emits {PaymentTokenSet}. Reverts with {EscrowZeroAddress} for address(0) (ETH is always accepted).
     */
    function setPaymentToken(address token, bool allowed) external;

    /**
     * @notice Pauses or unpauses the creation of new orders. Only a guardian. Shipping, confirming, refunds,
     * disputes, rulings, timeouts and withdrawals keep working while paused.
     * @param paused True to stop new orders, false to accept them again.
     *
     * Emits {Paused}.
     */
    function setPaused(bool paused) external;

    /// @notice The order `orderId`, with the terms it snapshotted at creation.
    function getOrder(uint256 orderId) external view returns (OrderView memory);

    /// @notice The id of the order `buyer` created with `ref`, or 0 if none.
    function orderIdOf(address buyer, bytes32 ref) external view returns (uint256);

    /// @notice The id the next order will get.
    function nextOrderId() external view returns (uint256);

    /// @notice `account`'s withdrawable credit in `token` (address(0) for ETH).
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice The terms new orders get.
    function currentTerms() external view returns (Terms memory);

    /// @notice Whether `token` is accepted for new orders; always true for ETH (address(0)).
    function isPaymentToken(address token) external view returns (bool);

    /// @notice Whether the creation of new orders is paused.
    function paused() external view returns (bool);

    /// @notice The account that receives the platform fees: the DAO's timelock.
    function treasury() external view returns (address);
}
