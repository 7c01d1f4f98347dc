// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {MarketplaceEscrow} from "../../../contracts/MarketplaceEscrow.sol";
import {IMarketplaceEscrow} from "../../../contracts/interfaces/IMarketplaceEscrow.sol";
import {MockUSDC} from "../../../contracts/mocks/MockUSDC.sol";

/**
 * @dev Drives MarketplaceEscrow through whole order lifecycles for the invariant test, keeping a model of every
 * order and ghost totals of what moved where.
 *
 * Each action picks an order from the bucket of the states it applies to and returns early when none fits, so
 * most calls do real work. The handler never reverts on purpose: the invariant runner silently discards a reverted
 * call, so a call the model says must succeed but that reverts is recorded in {unexpectedReverts} instead, and
 * every arithmetic check on a payout is recorded in a counter that an invariant requires to stay zero.
 *
 * The handler must not revert for another reason either: with Hardhat 3.18 (EDR 0.22) a reverted call also
 * zeroed the ETH balance of the address that sent it (seen while writing these tests; kept safe on any version).
 *
 * The traders buy from and sell to each other, so one account's credit mixes refunds, sales and shares of
 * rulings. The arbiter is never a party. The timelock is the escrow's admin and its treasury.
 */
contract EscrowHandler is CommonBase, StdCheats, StdUtils {
    enum Action {
        Create,
        CreateBatch,
        Ship,
        Confirm,
        Decline,
        Dispute,
        ProposeSettlement,
        AcceptSettlement,
        Rule,
        RefundAfterTimeout,
        CompleteAfterTimeout,
        ResolveAfterTimeout,
        Withdraw,
        WithdrawFor,
        SetFee,
        SetWindows,
        ForceEth,
        Warp,
        TouchFinal
    }

    enum Bucket {
        Funded,
        Shipped,
        Disputed,
        Final
    }

    struct OrderModel {
        address buyer;
        address seller;
        uint8 tokenIndex;
        uint96 amount;
        IMarketplaceEscrow.OrderState state;
        uint64 deadline;
        bool shippedBeforeDispute;
        IMarketplaceEscrow.Terms terms;
        address proposer;
        uint16 proposedBuyerBps;
        bool paidOut;
    }

    struct Credits {
        uint256 buyer;
        uint256 seller;
        uint256 treasury;
    }

    uint256 public constant TOKEN_COUNT = 2;
    uint256 private constant ACTION_COUNT = 19;
    uint256 private constant TRADER_COUNT = 5;
    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_BATCH = 5;
    // How many orders of a bucket an action inspects before giving up: enough to usually find one that fits,
    // few enough to keep every call cheap.
    uint256 private constant SCAN_LIMIT = 8;
    uint256 private constant TRADER_FUNDS = 2 ** 128;

    MarketplaceEscrow public immutable escrow;
    MockUSDC public immutable usdc;
    address public immutable timelock;
    address public immutable arbiter;
    uint256 public immutable initialUsdcSupply;
    uint256 private immutable _maxFeeBps;
    uint256 private immutable _minWindow;
    uint256 private immutable _maxWindow;
    uint256 private immutable _minArbitrationTimeout;
    uint256 private immutable _maxArbitrationTimeout;

    address[] private _traders;
    IMarketplaceEscrow.Terms private _terms;
    uint256 public currentTime;
    uint256 private _refNonce;

    mapping(uint256 orderId => OrderModel) private _orders;
    uint256[][4] private _buckets;
    mapping(uint256 orderId => uint256) private _bucketPositionPlusOne;

    uint256[TOKEN_COUNT] public deposited;
    uint256[TOKEN_COUNT] public withdrawn;
    uint256[TOKEN_COUNT] public openAmount;
    uint256[TOKEN_COUNT] public finalAmount;
    uint256[TOKEN_COUNT] public finalPaidToParties;
    uint256[TOKEN_COUNT] public finalFees;
    uint256 public forcedEth;

    uint256 public unexpectedReverts;
    bytes public lastUnexpectedRevert;
    uint256 public modelMismatches;
    uint256 public splitMismatches;
    uint256 public feeCapViolations;
    uint256 public termsMismatches;
    uint256 public doublePayouts;
    uint256 public finalOrderMutations;
    uint256 public withdrawMismatches;

    /// @notice Per {Action}: calls that did their work, and calls that found nothing to act on and returned early.
    uint256[ACTION_COUNT] public succeeded;
    uint256[ACTION_COUNT] public skipped;

    constructor(MarketplaceEscrow escrow_, MockUSDC usdc_, address timelock_, address arbiter_) {
        escrow = escrow_;
        usdc = usdc_;
        timelock = timelock_;
        arbiter = arbiter_;
        currentTime = block.timestamp;
        _terms = escrow_.currentTerms();
        _maxFeeBps = escrow_.MAX_FEE_BPS();
        _minWindow = escrow_.MIN_WINDOW();
        _maxWindow = escrow_.MAX_WINDOW();
        _minArbitrationTimeout = escrow_.MIN_ARBITRATION_TIMEOUT();
        _maxArbitrationTimeout = escrow_.MAX_ARBITRATION_TIMEOUT();
        for (uint256 i = 0; i < TRADER_COUNT; ++i) {
            address trader = makeAddr(string.concat("trader ", vm.toString(i)));
            _traders.push(trader);
            vm.deal(trader, TRADER_FUNDS);
            usdc_.mint(trader, TRADER_FUNDS);
            vm.prank(trader);
            usdc_.approve(address(escrow_), type(uint256).max);
        }
        initialUsdcSupply = usdc_.totalSupply();
    }

    modifier clocked() {
        // The clock is handler state, re-applied on every call, so that a run's timeline never depends on whether
        // the runner carries a warp over from one call to the next.
        vm.warp(currentTime);
        _;
    }

    function create(uint256 buyerSeed, uint256 sellerSeed, uint256 amountSeed, bool inToken) external clocked {
        (address buyer, address seller) = _pair(buyerSeed, sellerSeed);
        uint8 t = inToken ? 1 : 0;
        IMarketplaceEscrow.OrderRequest[] memory requests = new IMarketplaceEscrow.OrderRequest[](1);
        requests[0] = IMarketplaceEscrow.OrderRequest(seller, _amount(amountSeed), _nextRef());
        _createOrders(Action.Create, buyer, t, requests);
    }

    function createBatch(uint256 buyerSeed, uint256 sellerSeed, uint256 amountSeed, uint256 count, bool inToken)
        external
        clocked
    {
        uint256 n = _bound(count, 1, MAX_BATCH);
        address buyer = _traders[buyerSeed % TRADER_COUNT];
        IMarketplaceEscrow.OrderRequest[] memory requests = new IMarketplaceEscrow.OrderRequest[](n);
        for (uint256 i = 0; i < n; ++i) {
            (, address seller) = _pair(buyerSeed, uint256(keccak256(abi.encode(sellerSeed, i))));
            uint256 amount = _amount(uint256(keccak256(abi.encode(amountSeed, i))));
            requests[i] = IMarketplaceEscrow.OrderRequest(seller, amount, _nextRef());
        }
        _createOrders(Action.CreateBatch, buyer, inToken ? 1 : 0, requests);
    }

    function ship(uint256 pick) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Funded, pick, _beforeDeadline);
        if (!found) return _skip(Action.Ship);
        OrderModel storage order = _orders[id];
        vm.prank(order.seller);
        try escrow.markShipped(id) {
            order.state = IMarketplaceEscrow.OrderState.Shipped;
            order.deadline = uint64(block.timestamp) + order.terms.confirmWindow;
            _move(id, Bucket.Funded, Bucket.Shipped);
            _done(Action.Ship);
        } catch (bytes memory reason) {
            _unexpected(Action.Ship, reason);
        }
    }

    function confirm(uint256 pick) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Shipped, pick, _always);
        if (!found) return _skip(Action.Confirm);
        OrderModel storage order = _orders[id];
        Credits memory before = _creditsOf(order);
        vm.prank(order.buyer);
        try escrow.confirmDelivery(id) {
            _recordPayout(Action.Confirm, id, IMarketplaceEscrow.OrderState.Completed, 0, before);
        } catch (bytes memory reason) {
            _unexpected(Action.Confirm, reason);
        }
    }

    function decline(uint256 pick) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Funded, pick, _always);
        if (!found) return _skip(Action.Decline);
        OrderModel storage order = _orders[id];
        Credits memory before = _creditsOf(order);
        vm.prank(order.seller);
        try escrow.declineOrder(id) {
            _recordPayout(Action.Decline, id, IMarketplaceEscrow.OrderState.Refunded, BPS, before);
        } catch (bytes memory reason) {
            _unexpected(Action.Decline, reason);
        }
    }

    function dispute(uint256 pick, bool preferShipped, bool bySeller) external clocked {
        (Bucket first, Bucket second) =
            preferShipped ? (Bucket.Shipped, Bucket.Funded) : (Bucket.Funded, Bucket.Shipped);
        (uint256 id, bool found) = _pick(first, pick, _beforeDeadline);
        if (!found) (id, found) = _pick(second, pick, _beforeDeadline);
        if (!found) return _skip(Action.Dispute);
        OrderModel storage order = _orders[id];
        vm.prank(bySeller ? order.seller : order.buyer);
        try escrow.openDispute(id) {
            _move(id, _bucketOf(order.state), Bucket.Disputed);
            order.shippedBeforeDispute = order.state == IMarketplaceEscrow.OrderState.Shipped;
            order.state = IMarketplaceEscrow.OrderState.Disputed;
            order.deadline = uint64(block.timestamp) + order.terms.arbitrationTimeout;
            _done(Action.Dispute);
        } catch (bytes memory reason) {
            _unexpected(Action.Dispute, reason);
        }
    }

    function proposeSettlement(uint256 pick, uint16 buyerBps, bool bySeller) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Disputed, pick, _always);
        if (!found) return _skip(Action.ProposeSettlement);
        OrderModel storage order = _orders[id];
        uint16 split = uint16(_bound(buyerBps, 0, BPS));
        address proposer = bySeller ? order.seller : order.buyer;
        vm.prank(proposer);
        try escrow.proposeSettlement(id, split) {
            order.proposer = proposer;
            order.proposedBuyerBps = split;
            _done(Action.ProposeSettlement);
        } catch (bytes memory reason) {
            _unexpected(Action.ProposeSettlement, reason);
        }
    }

    function acceptSettlement(uint256 pick) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Disputed, pick, _hasProposal);
        if (!found) return _skip(Action.AcceptSettlement);
        OrderModel storage order = _orders[id];
        uint16 split = order.proposedBuyerBps;
        Credits memory before = _creditsOf(order);
        vm.prank(order.proposer == order.buyer ? order.seller : order.buyer);
        try escrow.acceptSettlement(id, split) {
            _recordPayout(Action.AcceptSettlement, id, IMarketplaceEscrow.OrderState.Resolved, split, before);
        } catch (bytes memory reason) {
            _unexpected(Action.AcceptSettlement, reason);
        }
    }

    function rule(uint256 pick, uint16 buyerBps) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Disputed, pick, _beforeDeadline);
        if (!found) return _skip(Action.Rule);
        OrderModel storage order = _orders[id];
        uint16 split = uint16(_bound(buyerBps, 0, BPS));
        Credits memory before = _creditsOf(order);
        vm.prank(arbiter);
        try escrow.rule(id, split) {
            _recordPayout(Action.Rule, id, IMarketplaceEscrow.OrderState.Resolved, split, before);
        } catch (bytes memory reason) {
            _unexpected(Action.Rule, reason);
        }
    }

    function refundAfterTimeout(uint256 pick, uint256 lateBy, uint256 callerSeed) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Funded, pick, _always);
        if (!found) return _skip(Action.RefundAfterTimeout);
        OrderModel storage order = _orders[id];
        _passDeadline(order.deadline, lateBy);
        Credits memory before = _creditsOf(order);
        vm.prank(_anyone(callerSeed));
        try escrow.refundAfterTimeout(id) {
            _recordPayout(Action.RefundAfterTimeout, id, IMarketplaceEscrow.OrderState.Refunded, BPS, before);
        } catch (bytes memory reason) {
            _unexpected(Action.RefundAfterTimeout, reason);
        }
    }

    function completeAfterTimeout(uint256 pick, uint256 lateBy, uint256 callerSeed) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Shipped, pick, _always);
        if (!found) return _skip(Action.CompleteAfterTimeout);
        OrderModel storage order = _orders[id];
        _passDeadline(order.deadline, lateBy);
        Credits memory before = _creditsOf(order);
        vm.prank(_anyone(callerSeed));
        try escrow.completeAfterTimeout(id) {
            _recordPayout(Action.CompleteAfterTimeout, id, IMarketplaceEscrow.OrderState.Completed, 0, before);
        } catch (bytes memory reason) {
            _unexpected(Action.CompleteAfterTimeout, reason);
        }
    }

    function resolveAfterTimeout(uint256 pick, uint256 lateBy, uint256 callerSeed) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Disputed, pick, _always);
        if (!found) return _skip(Action.ResolveAfterTimeout);
        OrderModel storage order = _orders[id];
        _passDeadline(order.deadline, lateBy);
        // The documented default ruling: a full refund if never shipped, an even split if shipped.
        uint256 split = order.shippedBeforeDispute ? BPS / 2 : BPS;
        Credits memory before = _creditsOf(order);
        vm.prank(_anyone(callerSeed));
        try escrow.resolveAfterTimeout(id) {
            _recordPayout(Action.ResolveAfterTimeout, id, IMarketplaceEscrow.OrderState.Resolved, split, before);
        } catch (bytes memory reason) {
            _unexpected(Action.ResolveAfterTimeout, reason);
        }
    }

    function withdraw(uint256 accountSeed, uint256 recipientSeed, bool inToken) external clocked {
        uint8 t = inToken ? 1 : 0;
        (address account, bool found) = _creditedAccount(accountSeed, t);
        if (!found) return _skip(Action.Withdraw);
        address[] memory recipients = holders();
        // The last holder is the escrow itself, which a withdrawal never targets.
        address to = recipients[recipientSeed % (recipients.length - 1)];
        _withdraw(Action.Withdraw, account, account, to, t);
    }

    function withdrawFor(uint256 accountSeed, uint256 callerSeed, bool inToken) external clocked {
        uint8 t = inToken ? 1 : 0;
        (address account, bool found) = _creditedAccount(accountSeed, t);
        if (!found) return _skip(Action.WithdrawFor);
        _withdraw(Action.WithdrawFor, _anyone(callerSeed), account, account, t);
    }

    function setFee(uint16 feeBps) external clocked {
        uint16 fee = uint16(_bound(feeBps, 0, _maxFeeBps));
        vm.prank(timelock);
        try escrow.setFee(fee) {
            _terms.feeBps = fee;
            _done(Action.SetFee);
        } catch (bytes memory reason) {
            _unexpected(Action.SetFee, reason);
        }
    }

    function setWindows(uint32 shipWindow, uint32 confirmWindow, uint32 arbitrationTimeout) external clocked {
        IMarketplaceEscrow.Terms memory next = IMarketplaceEscrow.Terms(
            _terms.feeBps,
            uint32(_bound(shipWindow, _minWindow, _maxWindow)),
            uint32(_bound(confirmWindow, _minWindow, _maxWindow)),
            uint32(_bound(arbitrationTimeout, _minArbitrationTimeout, _maxArbitrationTimeout))
        );
        vm.prank(timelock);
        try escrow.setWindows(next.shipWindow, next.confirmWindow, next.arbitrationTimeout) {
            _terms = next;
            _done(Action.SetWindows);
        } catch (bytes memory reason) {
            _unexpected(Action.SetWindows, reason);
        }
    }

    /// @dev ETH can reach a contract without calling it (selfdestruct, block rewards); the escrow must not care.
    function forceEth(uint256 amountSeed) external clocked {
        uint256 amount = _bound(amountSeed, 1, 1_000 ether);
        vm.deal(address(escrow), address(escrow).balance + amount);
        forcedEth += amount;
        _done(Action.ForceEth);
    }

    function warp(uint256 seconds_) external clocked {
        _advanceTo(currentTime + _bound(seconds_, 1, 2 days));
        _done(Action.Warp);
    }

    /// @dev Tries every transition on an order that is already final; each one must revert and pay nobody.
    function touchFinal(uint256 pick, uint16 buyerBps) external clocked {
        (uint256 id, bool found) = _pick(Bucket.Final, pick, _always);
        if (!found) return _skip(Action.TouchFinal);
        OrderModel storage order = _orders[id];
        address buyer = order.buyer;
        address seller = order.seller;
        uint16 split = uint16(_bound(buyerBps, 0, BPS));
        Credits memory before = _creditsOf(order);
        uint256 mutations = 0;
        vm.prank(seller);
        try escrow.markShipped(id) {
            ++mutations;
        } catch {}
        vm.prank(buyer);
        try escrow.confirmDelivery(id) {
            ++mutations;
        } catch {}
        try escrow.completeAfterTimeout(id) {
            ++mutations;
        } catch {}
        vm.prank(seller);
        try escrow.declineOrder(id) {
            ++mutations;
        } catch {}
        try escrow.refundAfterTimeout(id) {
            ++mutations;
        } catch {}
        vm.prank(buyer);
        try escrow.openDispute(id) {
            ++mutations;
        } catch {}
        vm.prank(buyer);
        try escrow.proposeSettlement(id, split) {
            ++mutations;
        } catch {}
        if (order.proposer != address(0)) {
            vm.prank(order.proposer == buyer ? seller : buyer);
            try escrow.acceptSettlement(id, order.proposedBuyerBps) {
                ++mutations;
            } catch {}
        }
        vm.prank(arbiter);
        try escrow.rule(id, split) {
            ++mutations;
        } catch {}
        try escrow.resolveAfterTimeout(id) {
            ++mutations;
        } catch {}
        Credits memory afterwards = _creditsOf(order);
        if (
            afterwards.buyer != before.buyer ||
            afterwards.seller != before.seller ||
            afterwards.treasury != before.treasury ||
            escrow.getOrder(id).state != order.state
        ) ++mutations;
        finalOrderMutations += mutations;
        _done(Action.TouchFinal);
    }

    /// @notice Everyone who can hold a credit: the traders, the arbiter and the treasury.
    function accounts() public view returns (address[] memory list) {
        list = new address[](TRADER_COUNT + 2);
        for (uint256 i = 0; i < TRADER_COUNT; ++i) {
            list[i] = _traders[i];
        }
        list[TRADER_COUNT] = arbiter;
        list[TRADER_COUNT + 1] = timelock;
    }

    /// @notice Every address that can hold the handler's tokens: {accounts}, then the escrow.
    function holders() public view returns (address[] memory list) {
        address[] memory credited = accounts();
        list = new address[](credited.length + 1);
        for (uint256 i = 0; i < credited.length; ++i) {
            list[i] = credited[i];
        }
        list[credited.length] = address(escrow);
    }

    function tokenAt(uint256 index) public view returns (address) {
        return index == 0 ? address(0) : address(usdc);
    }

    function creditedTotal(uint256 tokenIndex) external view returns (uint256 total) {
        address token = tokenAt(tokenIndex);
        address[] memory list = accounts();
        for (uint256 i = 0; i < list.length; ++i) {
            total += escrow.creditOf(list[i], token);
        }
    }

    /// @notice How many orders the escrow reports differently from the model. O(orders): for the end of a run.
    function countModelDisagreements() external view returns (uint256 disagreements) {
        uint256 next = escrow.nextOrderId();
        for (uint256 id = 1; id < next; ++id) {
            OrderModel storage model = _orders[id];
            IMarketplaceEscrow.OrderView memory actual = escrow.getOrder(id);
            if (
                actual.buyer != model.buyer ||
                actual.seller != model.seller ||
                actual.token != tokenAt(model.tokenIndex) ||
                actual.amount != model.amount ||
                actual.state != model.state ||
                actual.deadline != model.deadline ||
                actual.shippedBeforeDispute != model.shippedBeforeDispute ||
                actual.settlementProposer != model.proposer ||
                actual.settlementBuyerBps != model.proposedBuyerBps ||
                keccak256(abi.encode(actual.terms)) != keccak256(abi.encode(model.terms))
            ) ++disagreements;
        }
    }

    function _createOrders(
        Action action,
        address buyer,
        uint8 t,
        IMarketplaceEscrow.OrderRequest[] memory requests
    ) private {
        uint256 total = 0;
        for (uint256 i = 0; i < requests.length; ++i) {
            total += requests[i].amount;
        }
        uint256 firstId = escrow.nextOrderId();
        uint256 balanceBefore = _balance(t, address(escrow));
        bool ok;
        bytes memory reason;
        uint256[] memory ids;
        vm.prank(buyer);
        if (t == 0) {
            try escrow.createOrders{value: total}(address(0), requests) returns (uint256[] memory got) {
                (ok, ids) = (true, got);
            } catch (bytes memory failure) {
                reason = failure;
            }
        } else {
            try escrow.createOrders(address(usdc), requests) returns (uint256[] memory got) {
                (ok, ids) = (true, got);
            } catch (bytes memory failure) {
                reason = failure;
            }
        }
        if (!ok) return _unexpected(action, reason);

        uint256 balanceAfter = _balance(t, address(escrow));
        if (balanceAfter < balanceBefore || balanceAfter - balanceBefore != total) ++modelMismatches;
        if (balanceAfter > balanceBefore) deposited[t] += balanceAfter - balanceBefore;
        for (uint256 i = 0; i < requests.length; ++i) {
            uint256 id = firstId + i;
            if (ids[i] != id || escrow.orderIdOf(buyer, requests[i].ref) != id) ++modelMismatches;
            OrderModel storage order = _orders[id];
            order.buyer = buyer;
            order.seller = requests[i].seller;
            order.tokenIndex = t;
            order.amount = uint96(requests[i].amount);
            order.state = IMarketplaceEscrow.OrderState.Funded;
            order.deadline = uint64(block.timestamp) + _terms.shipWindow;
            order.terms = _terms;
            _buckets[uint8(Bucket.Funded)].push(id);
            _bucketPositionPlusOne[id] = _buckets[uint8(Bucket.Funded)].length;
            openAmount[t] += requests[i].amount;
        }
        _done(action);
    }

    function _withdraw(Action action, address caller, address account, address to, uint8 t) private {
        address token = tokenAt(t);
        uint256 credit = escrow.creditOf(account, token);
        uint256 escrowBefore = _balance(t, address(escrow));
        uint256 recipientBefore = _balance(t, to);
        vm.prank(caller);
        bool ok;
        bytes memory reason;
        if (caller == account && action == Action.Withdraw) {
            try escrow.withdraw(token, to) {
                ok = true;
            } catch (bytes memory failure) {
                reason = failure;
            }
        } else {
            try escrow.withdrawFor(account, token) {
                ok = true;
            } catch (bytes memory failure) {
                reason = failure;
            }
        }
        if (!ok) return _unexpected(action, reason);
        uint256 escrowAfter = _balance(t, address(escrow));
        uint256 recipientAfter = _balance(t, to);
        if (escrowAfter > escrowBefore || recipientAfter < recipientBefore) {
            ++withdrawMismatches;
            return;
        }
        withdrawn[t] += escrowBefore - escrowAfter;
        if (
            escrowBefore - escrowAfter != credit ||
            recipientAfter - recipientBefore != credit ||
            escrow.creditOf(account, token) != 0
        ) ++withdrawMismatches;
        _done(action);
    }

    /// @dev Checks and books the credits a final transition made, against the split the order's own terms give.
    function _recordPayout(
        Action action,
        uint256 id,
        IMarketplaceEscrow.OrderState finalState,
        uint256 buyerBps,
        Credits memory before
    ) private {
        OrderModel storage order = _orders[id];
        if (order.paidOut) ++doublePayouts;
        Credits memory afterwards = _creditsOf(order);
        uint8 t = order.tokenIndex;
        uint256 amount = order.amount;
        _move(id, _bucketOf(order.state), Bucket.Final);
        order.state = finalState;
        order.deadline = uint64(block.timestamp);
        order.paidOut = true;
        openAmount[t] -= amount;
        finalAmount[t] += amount;
        _done(action);

        if (
            afterwards.buyer < before.buyer ||
            afterwards.seller < before.seller ||
            afterwards.treasury < before.treasury
        ) {
            ++splitMismatches;
            return;
        }
        uint256 toBuyer = afterwards.buyer - before.buyer;
        uint256 toSeller = afterwards.seller - before.seller;
        uint256 fee = afterwards.treasury - before.treasury;
        finalPaidToParties[t] += toBuyer + toSeller;
        finalFees[t] += fee;

        if (toBuyer + toSeller + fee != amount) ++splitMismatches;
        uint256 expectedBuyer = (amount * buyerBps) / BPS;
        uint256 sellerGross = amount - expectedBuyer;
        if (fee * BPS > amount * _maxFeeBps || fee * BPS > sellerGross * _maxFeeBps) ++feeCapViolations;
        if (toBuyer != expectedBuyer || fee != (sellerGross * order.terms.feeBps) / BPS) ++termsMismatches;
    }

    function _creditsOf(OrderModel storage order) private view returns (Credits memory) {
        address token = tokenAt(order.tokenIndex);
        return
            Credits(
                escrow.creditOf(order.buyer, token),
                escrow.creditOf(order.seller, token),
                escrow.creditOf(timelock, token)
            );
    }

    function _pick(Bucket bucket, uint256 seed, function(OrderModel storage) view returns (bool) fits)
        private
        view
        returns (uint256 id, bool found)
    {
        uint256[] storage ids = _buckets[uint8(bucket)];
        uint256 length = ids.length;
        if (length == 0) return (0, false);
        uint256 start = seed % length;
        uint256 tries = length < SCAN_LIMIT ? length : SCAN_LIMIT;
        // Half the tries go to random orders, half to the newest, which are the likeliest to be before a deadline.
        for (uint256 i = 0; i < tries; ++i) {
            uint256 index = i % 2 == 0 ? (start + i / 2) % length : length - 1 - i / 2;
            uint256 candidate = ids[index];
            if (fits(_orders[candidate])) return (candidate, true);
        }
        return (0, false);
    }

    function _always(OrderModel storage) private pure returns (bool) {
        return true;
    }

    function _beforeDeadline(OrderModel storage order) private view returns (bool) {
        return block.timestamp <= order.deadline;
    }

    function _hasProposal(OrderModel storage order) private view returns (bool) {
        return order.proposer != address(0);
    }

    function _move(uint256 id, Bucket from, Bucket to) private {
        uint256[] storage source = _buckets[uint8(from)];
        uint256 index = _bucketPositionPlusOne[id] - 1;
        uint256 last = source[source.length - 1];
        source[index] = last;
        _bucketPositionPlusOne[last] = index + 1;
        source.pop();
        _buckets[uint8(to)].push(id);
        _bucketPositionPlusOne[id] = _buckets[uint8(to)].length;
    }

    function _bucketOf(IMarketplaceEscrow.OrderState state) private pure returns (Bucket) {
        if (state == IMarketplaceEscrow.OrderState.Funded) return Bucket.Funded;
        if (state == IMarketplaceEscrow.OrderState.Shipped) return Bucket.Shipped;
        if (state == IMarketplaceEscrow.OrderState.Disputed) return Bucket.Disputed;
        return Bucket.Final;
    }

    function _creditedAccount(uint256 seed, uint8 t) private view returns (address account, bool found) {
        address token = tokenAt(t);
        // Traders and the treasury; the arbiter never earns anything.
        uint256 count = TRADER_COUNT + 1;
        for (uint256 i = 0; i < count; ++i) {
            uint256 index = (seed % count + i) % count;
            account = index == TRADER_COUNT ? timelock : _traders[index];
            if (escrow.creditOf(account, token) != 0) return (account, true);
        }
        return (address(0), false);
    }

    function _passDeadline(uint64 deadline, uint256 lateBy) private {
        if (block.timestamp <= deadline) _advanceTo(uint256(deadline) + _bound(lateBy, 1, 1 days));
    }

    function _advanceTo(uint256 time) private {
        currentTime = time;
        vm.warp(time);
    }

    function _pair(uint256 buyerSeed, uint256 sellerSeed) private view returns (address buyer, address seller) {
        uint256 b = buyerSeed % TRADER_COUNT;
        uint256 s = (b + 1 + (sellerSeed % (TRADER_COUNT - 1))) % TRADER_COUNT;
        return (_traders[b], _traders[s]);
    }

    function _anyone(uint256 seed) private view returns (address) {
        return seed % 2 == 0 ? arbiter : _traders[seed % TRADER_COUNT];
    }

    /// @dev Half the amounts are small, where the fee rounds; half span the whole 96-bit range.
    function _amount(uint256 seed) private pure returns (uint256) {
        return _bound(seed >> 1, 1, seed % 2 == 0 ? 1e6 : type(uint96).max);
    }

    function _nextRef() private returns (bytes32) {
        return keccak256(abi.encode("invariant order", ++_refNonce));
    }

    function _balance(uint8 t, address account) private view returns (uint256) {
        return t == 0 ? account.balance : usdc.balanceOf(account);
    }

    function _done(Action action) private {
        ++succeeded[uint8(action)];
    }

    function _skip(Action action) private {
        ++skipped[uint8(action)];
    }

    function _unexpected(Action action, bytes memory reason) private {
        ++unexpectedReverts;
        lastUnexpectedRevert = abi.encodePacked(uint8(action), reason);
    }
}
