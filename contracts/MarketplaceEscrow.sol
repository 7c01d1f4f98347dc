// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IMarketplaceEscrow} from "./interfaces/IMarketplaceEscrow.sol";

/**
 * @title MarketplaceEscrow
 * @notice Escrow for AgriDAO marketplace orders. See {IMarketplaceEscrow} for the lifecycle.
 * @dev Storage is laid out for the common path (create, ship, confirm, withdraw): an ETH order occupies two
 * storage slots, and every transition of that path reads and writes only the slots it must. The parameters an
 * order snapshots are split: the fee and the confirmation window, needed on the common path, live in the order;
 * the full terms are kept as a checkpoint history keyed by the first order id they applied to, which answers
 * "what were the terms of order N" without storing them per order.
 *
 * Credits are stored plus one once an account has held any ("dirty" slots): a withdrawal leaves 1 behind instead
 * of 0, so the next credit to a seller or to the treasury is a cheap non-zero write instead of a fresh slot. The
 * treasury's slots are opened when a payment token is accepted (ETH at deployment), so no order ever pays for them.
 */
contract MarketplaceEscrow is IMarketplaceEscrow, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Appointed by the DAO to rule on disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice May pause and unpause the creation of new orders, and nothing else.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice The highest platform fee the DAO can ever set: 10%.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Bounds of the ship and confirmation windows.
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 90 days;
    /// @notice Bounds of the arbitration timeout.
    uint32 public constant MIN_ARBITRATION_TIMEOUT = 1 days;
    uint32 public constant MAX_ARBITRATION_TIMEOUT = 180 days;
    /// @notice The buyer's share under the default ruling for a dispute over a shipped order.
    uint16 public constant DEFAULT_SHIPPED_BUYER_BPS = 5_000;

    uint256 private constant BPS = 10_000;
    uint8 private constant PROPOSED_BY_BUYER = 1;
    uint8 private constant PROPOSED_BY_SELLER = 2;

    struct Order {
        // slot 0
        address buyer;
        uint96 amount;
        // slot 1
        address seller;
        OrderState state;
        bool paidInToken;
        uint16 feeBps;
        uint24 confirmWindow;
        uint40 deadline;
        // slot 2: stays empty, and unread on the common path, for an ETH order
        address token;
        uint16 settlementBuyerBps;
        uint8 settlementProposer;
        bool shippedBeforeDispute;
    }

    /// @dev Everything `createOrder` needs, in one slot.
    struct Config {
        uint48 nextOrderId;
        bool paused;
        uint16 feeBps;
        uint32 shipWindow;
        uint32 confirmWindow;
        uint32 arbitrationTimeout;
    }

    /// @inheritdoc IMarketplaceEscrow
    address public immutable treasury;

    Config private _config;
    mapping(uint256 orderId => Order) private _orders;
    /// @dev Keyed by buyer first: a ref is unique per buyer, so another account's order can never take it.
    mapping(address buyer => mapping(bytes32 ref => uint256 orderId)) private _orderIdOf;
    /// @dev credit + 1 once the account has been credited in that token, 0 before. See {_credit}.
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address token => bool) private _paymentTokens;
    /// @dev Packed {Terms} keyed by the first order id they apply to.
    Checkpoints.Trace208 private _termsHistory;

    /**
     * @param admin The DAO's timelock: the only account that can change parameters and appoint arbiters.
     * @param treasury_ Receives the platform fees (the timelock).
     * @param guardian May pause new orders; address(0) for none.
     * @param arbiters Arbiters appointed from the start.
     * @param terms The initial fee and windows.
     * @param paymentTokens ERC-20 tokens accepted from the start.
     */
    constructor(
        address admin,
        address treasury_,
        address guardian,
        address[] memory arbiters,
        Terms memory terms,
        address[] memory paymentTokens
    ) {
        if (admin == address(0) || treasury_ == address(0)) revert EscrowZeroAddress();
        treasury = treasury_;
        _openTreasuryCredit(address(0));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        for (uint256 i = 0; i < arbiters.length; ++i) {
            _grantRole(ARBITER_ROLE, arbiters[i]);
        }
        for (uint256 i = 0; i < paymentTokens.length; ++i) {
            _setPaymentToken(paymentTokens[i], true);
        }
        _config.nextOrderId = 1;
        _setTerms(terms);
    }


    /// @inheritdoc IMarketplaceEscrow
    function createOrder(address seller, address token, uint256 amount, bytes32 ref)
        external
        payable
        nonReentrant
        returns (uint256 orderId)
    {
        orderId = _createOne(_openingConfig(token), seller, token, amount, ref);
    }

    /// @inheritdoc IMarketplaceEscrow
    function createOrderWithPermit(
        address seller,
        address token,
        uint256 amount,
        bytes32 ref,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 orderId) {
        if (token == address(0)) revert EscrowTokenNotAllowed(token);
        // Checked before calling the token: an unknown address may hold no code, and the call to it would revert
        // outside the try/catch below.
        Config memory cfg = _openingConfig(token);
        // A permit can be front-run by anyone who saw it; the order still goes through on the allowance it set.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {} catch {}
        orderId = _createOne(cfg, seller, token, amount, ref);
    }

    /// @inheritdoc IMarketplaceEscrow
    function createOrders(address token, OrderRequest[] calldata requests)
        external
        payable
        nonReentrant
        returns (uint256[] memory orderIds)
    {
        uint256 count = requests.length;
        if (count == 0) revert EscrowEmptyBatch();
        Config memory cfg = _openingConfig(token);
        orderIds = new uint256[](count);
        uint256 total = 0;
        for (uint256 i = 0; i < count; ++i) {
            OrderRequest calldata request = requests[i];
            uint256 orderId = cfg.nextOrderId + i;
            _open(cfg, orderId, request.seller, token, request.amount, request.ref);
            orderIds[i] = orderId;
            // unchecked: each amount was checked to fit in 96 bits, and a batch cannot hold 2^160 requests.
            unchecked {
                total += request.amount;
            }
        }
        _config.nextOrderId = SafeCast.toUint48(cfg.nextOrderId + count);
        _collect(token, total);
    }


    /// @inheritdoc IMarketplaceEscrow
    function markShipped(uint256 orderId) external {
        Order storage order = _orders[orderId];
        address seller = order.seller;
        OrderState state = order.state;
        uint40 deadline = order.deadline;
        if (msg.sender != seller) _revertNotSeller(orderId, state);
        _requireState(orderId, state, OrderState.Funded);
        if (block.timestamp > deadline) revert EscrowDeadlinePassed(orderId, deadline);
        uint40 confirmDeadline = uint40(block.timestamp) + order.confirmWindow;
        order.state = OrderState.Shipped;
        order.deadline = confirmDeadline;
        emit OrderShipped(orderId, seller, confirmDeadline);
    }

    /// @inheritdoc IMarketplaceEscrow
    function confirmDelivery(uint256 orderId) external {
        Order storage order = _orders[orderId];
        if (msg.sender != order.buyer) _revertNotBuyer(orderId, order.state);
        _requireState(orderId, order.state, OrderState.Shipped);
        _complete(orderId, order, false);
    }

    /// @inheritdoc IMarketplaceEscrow
    function completeAfterTimeout(uint256 orderId) external {
        Order storage order = _orders[orderId];
        _requireState(orderId, order.state, OrderState.Shipped);
        _requireDeadlinePassed(orderId, order.deadline);
        _complete(orderId, order, true);
    }

    /// @inheritdoc IMarketplaceEscrow
    function declineOrder(uint256 orderId) external {
        Order storage order = _orders[orderId];
        if (msg.sender != order.seller) _revertNotSeller(orderId, order.state);
        _requireState(orderId, order.state, OrderState.Funded);
        _refund(orderId, order, false);
    }

    /// @inheritdoc IMarketplaceEscrow
    function refundAfterTimeout(uint256 orderId) external {
        Order storage order = _orders[orderId];
        _requireState(orderId, order.state, OrderState.Funded);
        _requireDeadlinePassed(orderId, order.deadline);
        _refund(orderId, order, true);
    }

    /// @inheritdoc IMarketplaceEscrow
    function openDispute(uint256 orderId) external {
        Order storage order = _orders[orderId];
        OrderState state = order.state;
        if (msg.sender != order.buyer && msg.sender != order.seller) _revertNotParty(orderId, state);
        if (state != OrderState.Funded && state != OrderState.Shipped) {
            revert EscrowUnexpectedState(orderId, state, _stateBit(OrderState.Funded) | _stateBit(OrderState.Shipped));
        }
        uint40 deadline = order.deadline;
        if (block.timestamp > deadline) revert EscrowDeadlinePassed(orderId, deadline);
        uint40 arbitrationDeadline = uint40(block.timestamp) + _termsOf(orderId).arbitrationTimeout;
        order.state = OrderState.Disputed;
        order.deadline = arbitrationDeadline;
        if (state == OrderState.Shipped) order.shippedBeforeDispute = true;
        emit OrderDisputed(orderId, msg.sender, arbitrationDeadline);
    }

    /// @inheritdoc IMarketplaceEscrow
    function proposeSettlement(uint256 orderId, uint16 buyerBps) external {
        Order storage order = _orders[orderId];
        uint8 proposer = _partyOf(orderId, order);
        _requireState(orderId, order.state, OrderState.Disputed);
        _requireSplit(buyerBps);
        order.settlementBuyerBps = buyerBps;
        order.settlementProposer = proposer;
        emit SettlementProposed(orderId, msg.sender, buyerBps);
    }

    /// @inheritdoc IMarketplaceEscrow
    function acceptSettlement(uint256 orderId, uint16 buyerBps) external {
        Order storage order = _orders[orderId];
        uint8 party = _partyOf(orderId, order);
        _requireState(orderId, order.state, OrderState.Disputed);
        uint8 proposer = order.settlementProposer;
        if (proposer == 0 || proposer == party) revert EscrowNoSettlementToAccept(orderId);
        uint16 proposed = order.settlementBuyerBps;
        if (proposed != buyerBps) revert EscrowSettlementMismatch(orderId, proposed, buyerBps);
        _resolve(orderId, order, Resolution.Settlement, address(0), buyerBps);
    }

    /// @inheritdoc IMarketplaceEscrow
    function rule(uint256 orderId, uint16 buyerBps) external onlyRole(ARBITER_ROLE) {
        Order storage order = _orders[orderId];
        _requireState(orderId, order.state, OrderState.Disputed);
        if (msg.sender == order.buyer || msg.sender == order.seller) revert EscrowArbiterIsParty(orderId, msg.sender);
        _requireSplit(buyerBps);
        uint40 deadline = order.deadline;
        if (block.timestamp > deadline) revert EscrowDeadlinePassed(orderId, deadline);
        _resolve(orderId, order, Resolution.Ruling, msg.sender, buyerBps);
    }

    /// @inheritdoc IMarketplaceEscrow
    function resolveAfterTimeout(uint256 orderId) external {
        Order storage order = _orders[orderId];
        _requireState(orderId, order.state, OrderState.Disputed);
        _requireDeadlinePassed(orderId, order.deadline);
        uint16 buyerBps = order.shippedBeforeDispute ? DEFAULT_SHIPPED_BUYER_BPS : uint16(BPS);
        _resolve(orderId, order, Resolution.Timeout, address(0), buyerBps);
    }


    /// @inheritdoc IMarketplaceEscrow
    function withdraw(address token, address to) external {
        if (to == address(0)) revert EscrowZeroAddress();
        _withdraw(msg.sender, token, to);
    }

    /// @inheritdoc IMarketplaceEscrow
    function withdrawFor(address account, address token) external {
        _withdraw(account, token, account);
    }


    /// @inheritdoc IMarketplaceEscrow
    function setFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Terms memory terms = currentTerms();
        terms.feeBps = feeBps;
        _setTerms(terms);
    }

    /// @inheritdoc IMarketplaceEscrow
    function setWindows(uint32 shipWindow, uint32 confirmWindow, uint32 arbitrationTimeout)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setTerms(Terms(_config.feeBps, shipWindow, confirmWindow, arbitrationTimeout));
    }

    /// @inheritdoc IMarketplaceEscrow
    function setPaymentToken(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPaymentToken(token, allowed);
    }

    /// @inheritdoc IMarketplaceEscrow
    function setPaused(bool paused_) external onlyRole(GUARDIAN_ROLE) {
        _config.paused = paused_;
        emit Paused(msg.sender, paused_);
    }


    /// @inheritdoc IMarketplaceEscrow
    function getOrder(uint256 orderId) external view returns (OrderView memory view_) {
        Order storage order = _orders[orderId];
        if (order.state == OrderState.None) revert EscrowNonexistentOrder(orderId);
        view_.buyer = order.buyer;
        view_.seller = order.seller;
        view_.token = order.token;
        view_.amount = order.amount;
        view_.state = order.state;
        view_.deadline = order.deadline;
        view_.shippedBeforeDispute = order.shippedBeforeDispute;
        view_.terms = _termsOf(orderId);
        uint8 proposer = order.settlementProposer;
        if (proposer != 0) {
            view_.settlementProposer = proposer == PROPOSED_BY_BUYER ? order.buyer : order.seller;
            view_.settlementBuyerBps = order.settlementBuyerBps;
        }
    }

    /// @inheritdoc IMarketplaceEscrow
    function orderIdOf(address buyer, bytes32 ref) external view returns (uint256) {
        return _orderIdOf[buyer][ref];
    }

    /// @inheritdoc IMarketplaceEscrow
    function nextOrderId() external view returns (uint256) {
        return _config.nextOrderId;
    }

    /// @inheritdoc IMarketplaceEscrow
    function creditOf(address account, address token) external view returns (uint256) {
        uint256 stored = _credits[account][token];
        return stored == 0 ? 0 : stored - 1;
    }

    /// @inheritdoc IMarketplaceEscrow
    function currentTerms() public view returns (Terms memory) {
        Config memory cfg = _config;
        return Terms(cfg.feeBps, cfg.shipWindow, cfg.confirmWindow, cfg.arbitrationTimeout);
    }

    /// @inheritdoc IMarketplaceEscrow
    function isPaymentToken(address token) external view returns (bool) {
        return token == address(0) || _paymentTokens[token];
    }

    /// @inheritdoc IMarketplaceEscrow
    function paused() external view returns (bool) {
        return _config.paused;
    }


    /// @dev The config for opening orders in `token`, after the checks every new order shares.
    function _openingConfig(address token) private view returns (Config memory cfg) {
        cfg = _config;
        if (cfg.paused) revert EscrowPaused();
        if (token != address(0) && !_paymentTokens[token]) revert EscrowTokenNotAllowed(token);
    }

    function _createOne(Config memory cfg, address seller, address token, uint256 amount, bytes32 ref)
        private
        returns (uint256 orderId)
    {
        orderId = cfg.nextOrderId;
        _open(cfg, orderId, seller, token, amount, ref);
        _config.nextOrderId = cfg.nextOrderId + 1;
        _collect(token, amount);
    }

    function _open(Config memory cfg, uint256 orderId, address seller, address token, uint256 amount, bytes32 ref)
        private
    {
        if (seller == address(0) || seller == msg.sender) revert EscrowInvalidSeller(seller);
        if (amount == 0 || amount > type(uint96).max) revert EscrowInvalidAmount(amount);
        mapping(bytes32 ref => uint256 orderId) storage refs = _orderIdOf[msg.sender];
        uint256 existing = refs[ref];
        if (existing != 0) revert EscrowDuplicateRef(msg.sender, ref, existing);
        refs[ref] = orderId;

        uint40 shipDeadline = uint40(block.timestamp) + cfg.shipWindow;
        Order storage order = _orders[orderId];
        order.buyer = msg.sender;
        order.amount = uint96(amount);
        order.seller = seller;
        order.state = OrderState.Funded;
        order.feeBps = cfg.feeBps;
        // The window fits: _setTerms bounds it by MAX_WINDOW < 2^24.
        order.confirmWindow = uint24(cfg.confirmWindow);
        order.deadline = shipDeadline;
        if (token != address(0)) {
            order.paidInToken = true;
            order.token = token;
        }

        emit OrderCreated(
            orderId,
            ref,
            msg.sender,
            seller,
            token,
            amount,
            shipDeadline,
            cfg.feeBps,
            cfg.confirmWindow,
            cfg.arbitrationTimeout
        );
    }

    /// @dev Takes `amount` of `token` from the caller and checks that exactly that much arrived.
    function _collect(address token, uint256 amount) private {
        if (token == address(0)) {
            if (msg.value != amount) revert EscrowIncorrectValue(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert EscrowIncorrectValue(0, msg.value);
        IERC20 erc20 = IERC20(token);
        uint256 balanceBefore = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = erc20.balanceOf(address(this));
        // A hostile token can even shrink the balance; report that as receiving nothing, not as an overflow panic.
        uint256 received = balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0;
        if (received != amount) revert EscrowShortPayment(token, amount, received);
    }

    function _complete(uint256 orderId, Order storage order, bool byTimeout) private {
        uint256 amount = order.amount;
        uint256 fee = (amount * order.feeBps) / BPS;
        uint256 sellerAmount;
        // unchecked: feeBps <= MAX_FEE_BPS < BPS, so fee <= amount.
        unchecked {
            sellerAmount = amount - fee;
        }
        address seller = order.seller;
        address token = _tokenOf(order);
        order.state = OrderState.Completed;
        order.deadline = uint40(block.timestamp);
        _credit(seller, token, sellerAmount);
        if (fee != 0) _credit(treasury, token, fee);
        emit OrderCompleted(orderId, seller, token, sellerAmount, fee, byTimeout);
    }

    function _refund(uint256 orderId, Order storage order, bool byTimeout) private {
        uint256 amount = order.amount;
        address buyer = order.buyer;
        address token = _tokenOf(order);
        order.state = OrderState.Refunded;
        order.deadline = uint40(block.timestamp);
        _credit(buyer, token, amount);
        emit OrderRefunded(orderId, buyer, token, amount, byTimeout);
    }

    function _resolve(uint256 orderId, Order storage order, Resolution resolution, address arbiter, uint16 buyerBps)
        private
    {
        uint256 amount = order.amount;
        uint256 buyerAmount = (amount * buyerBps) / BPS;
        uint256 sellerGross;
        uint256 fee;
        uint256 sellerAmount;
        // unchecked: buyerBps <= BPS so buyerAmount <= amount; feeBps <= MAX_FEE_BPS < BPS so fee <= sellerGross.
        unchecked {
            sellerGross = amount - buyerAmount;
            fee = (sellerGross * order.feeBps) / BPS;
            sellerAmount = sellerGross - fee;
        }
        address token = _tokenOf(order);
        order.state = OrderState.Resolved;
        order.deadline = uint40(block.timestamp);
        if (buyerAmount != 0) _credit(order.buyer, token, buyerAmount);
        if (sellerAmount != 0) _credit(order.seller, token, sellerAmount);
        if (fee != 0) _credit(treasury, token, fee);
        emit OrderResolved(orderId, resolution, arbiter, token, buyerBps, buyerAmount, sellerAmount, fee);
    }

    /// @dev Creates the treasury's (empty) credit slot for `token`, so that the DAO pays for it when it accepts the
    /// token, rather than the buyer of the first order that earns a fee in it.
    function _openTreasuryCredit(address token) private {
        if (_credits[treasury][token] == 0) _credits[treasury][token] = 1;
    }

    /// @dev Adds `amount` to a credit, keeping the stored value one above the credit (see {_credits}).
    function _credit(address account, address token, uint256 amount) private {
        uint256 stored = _credits[account][token];
        _credits[account][token] = (stored == 0 ? 1 : stored) + amount;
    }

    // Safe against reentrancy without a guard: the credit is cleared before any external call, so a reentrant
    // withdrawal finds nothing, and nothing else reads state that the call could leave half-updated.
    function _withdraw(address account, address token, address to) private {
        uint256 stored = _credits[account][token];
        if (stored <= 1) revert EscrowNothingToWithdraw(account, token);
        uint256 amount;
        // unchecked: stored > 1.
        unchecked {
            amount = stored - 1;
        }
        _credits[account][token] = 1;
        emit Withdrawn(account, token, to, amount);
        if (token == address(0)) {
            (bool success, ) = to.call{value: amount}("");
            if (!success) revert EscrowEtherTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    function _setTerms(Terms memory terms) private {
        if (terms.feeBps > MAX_FEE_BPS) revert EscrowFeeTooHigh(terms.feeBps, MAX_FEE_BPS);
        _requireWindow(terms.shipWindow, MIN_WINDOW, MAX_WINDOW);
        _requireWindow(terms.confirmWindow, MIN_WINDOW, MAX_WINDOW);
        _requireWindow(terms.arbitrationTimeout, MIN_ARBITRATION_TIMEOUT, MAX_ARBITRATION_TIMEOUT);
        Config storage cfg = _config;
        cfg.feeBps = terms.feeBps;
        cfg.shipWindow = terms.shipWindow;
        cfg.confirmWindow = terms.confirmWindow;
        cfg.arbitrationTimeout = terms.arbitrationTimeout;
        uint48 firstOrderId = cfg.nextOrderId;
        _termsHistory.push(firstOrderId, _packTerms(terms));
        emit TermsUpdated(firstOrderId, terms);
    }

    function _setPaymentToken(address token, bool allowed) private {
        if (token == address(0)) revert EscrowZeroAddress();
        _paymentTokens[token] = allowed;
        if (allowed) _openTreasuryCredit(token);
        emit PaymentTokenSet(token, allowed);
    }

    /// @dev Skips reading the token's slot for ETH orders, which the common path never needs to touch.
    function _tokenOf(Order storage order) private view returns (address) {
        return order.paidInToken ? order.token : address(0);
    }

    function _termsOf(uint256 orderId) private view returns (Terms memory) {
        return _unpackTerms(_termsHistory.upperLookupRecent(uint48(orderId)));
    }

    function _packTerms(Terms memory terms) private pure returns (uint208) {
        return
            (uint208(terms.feeBps) << 96) |
            (uint208(terms.shipWindow) << 64) |
            (uint208(terms.confirmWindow) << 32) |
            uint208(terms.arbitrationTimeout);
    }

    function _unpackTerms(uint208 packed) private pure returns (Terms memory) {
        return Terms(uint16(packed >> 96), uint32(packed >> 64), uint32(packed >> 32), uint32(packed));
    }

    /// @dev Which party the caller is: PROPOSED_BY_BUYER or PROPOSED_BY_SELLER.
    function _partyOf(uint256 orderId, Order storage order) private view returns (uint8) {
        if (msg.sender == order.buyer) return PROPOSED_BY_BUYER;
        if (msg.sender == order.seller) return PROPOSED_BY_SELLER;
        if (order.state == OrderState.None) revert EscrowNonexistentOrder(orderId);
        revert EscrowNotParty(orderId, msg.sender);
    }

    function _requireState(uint256 orderId, OrderState current, OrderState expected) private pure {
        if (current != expected) {
            if (current == OrderState.None) revert EscrowNonexistentOrder(orderId);
            revert EscrowUnexpectedState(orderId, current, _stateBit(expected));
        }
    }

    function _requireDeadlinePassed(uint256 orderId, uint40 deadline) private view {
        if (block.timestamp <= deadline) revert EscrowDeadlineNotReached(orderId, deadline);
    }

    function _requireSplit(uint16 buyerBps) private pure {
        if (buyerBps > BPS) revert EscrowInvalidSplit(buyerBps);
    }

    function _requireWindow(uint32 window, uint32 min, uint32 max) private pure {
        if (window < min || window > max) revert EscrowWindowOutOfBounds(window, min, max);
    }

    // The checks on the caller come first so that a stranger learns nothing, but a missing order is reported as
    // missing rather than as "not the seller of order 0".
    function _revertNotBuyer(uint256 orderId, OrderState state) private view {
        if (state == OrderState.None) revert EscrowNonexistentOrder(orderId);
        revert EscrowNotBuyer(orderId, msg.sender);
    }

    function _revertNotSeller(uint256 orderId, OrderState state) private view {
        if (state == OrderState.None) revert EscrowNonexistentOrder(orderId);
        revert EscrowNotSeller(orderId, msg.sender);
    }

    function _revertNotParty(uint256 orderId, OrderState state) private view {
        if (state == OrderState.None) revert EscrowNonexistentOrder(orderId);
        revert EscrowNotParty(orderId, msg.sender);
    }

    function _stateBit(OrderState state) private pure returns (bytes32) {
        return bytes32(1 << uint8(state));
    }
}
