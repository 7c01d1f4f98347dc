// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {MarketplaceEscrow} from "../../contracts/MarketplaceEscrow.sol";
import {IMarketplaceEscrow} from "../../contracts/interfaces/IMarketplaceEscrow.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";

/// @dev Fuzz tests of the escrow's arithmetic and clocks, plus the gas snapshots of its common path.
contract MarketplaceEscrowTest is Test {
    uint256 private constant BPS = 10_000;
    uint16 private constant LOCAL_FEE_BPS = 250;
    uint32 private constant LOCAL_SHIP_WINDOW = 1 hours;
    uint32 private constant LOCAL_CONFIRM_WINDOW = 1 hours;
    uint32 private constant LOCAL_ARBITRATION_TIMEOUT = 1 days;
    string private constant GAS_GROUP = "MarketplaceEscrow";

    address private timelock = makeAddr("timelock");
    address private guardian = makeAddr("guardian");
    address private arbiter = makeAddr("arbiter");
    address private buyer = makeAddr("buyer");
    address private seller = makeAddr("seller");

    MockUSDC private usdc;
    MarketplaceEscrow private escrow;
    uint256 private refNonce;

    uint16 private maxFeeBps;
    uint32 private minWindow;
    uint32 private maxWindow;
    uint32 private minArbitrationTimeout;
    uint32 private maxArbitrationTimeout;

    function setUp() public {
        // A realistic clock, so that no deadline arithmetic is accidentally helped by a timestamp near zero.
        vm.warp(1_750_000_000);
        usdc = new MockUSDC();
        address[] memory arbiters = new address[](1);
        arbiters[0] = arbiter;
        address[] memory tokens = new address[](1);
        tokens[0] = address(usdc);
        escrow = new MarketplaceEscrow(
            timelock,
            timelock,
            guardian,
            arbiters,
            IMarketplaceEscrow.Terms(LOCAL_FEE_BPS, LOCAL_SHIP_WINDOW, LOCAL_CONFIRM_WINDOW, LOCAL_ARBITRATION_TIMEOUT),
            tokens
        );
        maxFeeBps = escrow.MAX_FEE_BPS();
        minWindow = escrow.MIN_WINDOW();
        maxWindow = escrow.MAX_WINDOW();
        minArbitrationTimeout = escrow.MIN_ARBITRATION_TIMEOUT();
        maxArbitrationTimeout = escrow.MAX_ARBITRATION_TIMEOUT();
    }

    function testFuzz_completion_paysAmountMinusFeeExactly(uint96 amount, uint16 feeBps, bool inToken) public {
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        uint256 id = _order(inToken, price);
        _ship(id);

        vm.prank(buyer);
        escrow.confirmDelivery(id);

        address token = _token(inToken);
        uint256 sellerCredit = escrow.creditOf(seller, token);
        uint256 feeCredit = escrow.creditOf(timelock, token);
        assertEq(sellerCredit + feeCredit, price, "seller + fee != amount");
        assertEq(feeCredit, (price * fee) / BPS, "fee is not the order's rate");
        assertLe(feeCredit, (price * maxFeeBps) / BPS, "fee above the cap");
        assertEq(escrow.creditOf(buyer, token), 0, "buyer credited on completion");
        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Completed));
    }

    function testFuzz_completeAfterTimeout_paysTheSameAsAConfirmation(uint96 amount, uint16 feeBps, uint32 lateBy)
        public
    {
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        uint256 id = _order(false, price);
        _ship(id);
        uint64 confirmDeadline = escrow.getOrder(id).deadline;

        vm.warp(uint256(confirmDeadline) + bound(lateBy, 1, 3650 days));
        escrow.completeAfterTimeout(id);

        uint256 expectedFee = (price * fee) / BPS;
        assertEq(escrow.creditOf(seller, address(0)), price - expectedFee);
        assertEq(escrow.creditOf(timelock, address(0)), expectedFee);
    }

    function testFuzz_setFee_revertsAboveTheCap(uint16 feeBps) public {
        vm.assume(feeBps > maxFeeBps);
        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowFeeTooHigh.selector, feeBps, maxFeeBps));
        vm.prank(timelock);
        escrow.setFee(feeBps);
        assertEq(escrow.currentTerms().feeBps, LOCAL_FEE_BPS);
    }

    function testFuzz_ruling_splitsTheAmountWithTheFeeOnlyOnTheSellersPart(
        uint96 amount,
        uint16 feeBps,
        uint16 buyerBps,
        bool shippedFirst,
        bool inToken
    ) public {
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        uint16 split = uint16(bound(buyerBps, 0, BPS));
        uint256 id = _order(inToken, price);
        if (shippedFirst) _ship(id);
        _dispute(id, buyer);

        vm.prank(arbiter);
        escrow.rule(id, split);

        _assertSplit(id, inToken, price, fee, split);
    }

    function testFuzz_settlement_splitsTheAmountWithTheFeeOnlyOnTheSellersPart(
        uint96 amount,
        uint16 feeBps,
        uint16 buyerBps,
        bool buyerProposes
    ) public {
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        uint16 split = uint16(bound(buyerBps, 0, BPS));
        uint256 id = _order(true, price);
        _ship(id);
        _dispute(id, seller);
        (address proposer, address acceptor) = buyerProposes ? (buyer, seller) : (seller, buyer);

        vm.prank(proposer);
        escrow.proposeSettlement(id, split);
        vm.prank(acceptor);
        escrow.acceptSettlement(id, split);

        _assertSplit(id, true, price, fee, split);
    }

    function testFuzz_ruling_revertsForASplitAboveTheWhole(uint16 buyerBps) public {
        vm.assume(buyerBps > BPS);
        uint256 id = _order(false, 1 ether);
        _dispute(id, buyer);

        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowInvalidSplit.selector, buyerBps));
        vm.prank(arbiter);
        escrow.rule(id, buyerBps);
    }

    function testFuzz_acceptSettlement_revertsForAnySplitOtherThanTheProposal(uint16 proposed, uint16 accepted)
        public
    {
        proposed = uint16(bound(proposed, 0, BPS));
        vm.assume(accepted != proposed);
        uint256 id = _order(false, 1 ether);
        _dispute(id, buyer);
        vm.prank(buyer);
        escrow.proposeSettlement(id, proposed);

        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEscrow.EscrowSettlementMismatch.selector, id, proposed, accepted)
        );
        vm.prank(seller);
        escrow.acceptSettlement(id, accepted);
    }

    function testFuzz_markShipped_succeedsAtAnyTimeUpToTheShipDeadline(
        uint32 shipWindow,
        uint32 confirmWindow,
        uint256 elapsed
    ) public {
        shipWindow = uint32(bound(shipWindow, minWindow, maxWindow));
        confirmWindow = uint32(bound(confirmWindow, minWindow, maxWindow));
        vm.prank(timelock);
        escrow.setWindows(shipWindow, confirmWindow, LOCAL_ARBITRATION_TIMEOUT);
        uint256 createdAt = block.timestamp;
        uint256 id = _order(false, 1 ether);
        assertEq(escrow.getOrder(id).deadline, createdAt + shipWindow, "ship deadline");

        vm.warp(createdAt + (elapsed % 4 == 0 ? shipWindow : bound(elapsed, 0, shipWindow)));
        vm.prank(seller);
        escrow.markShipped(id);

        IMarketplaceEscrow.OrderView memory order = escrow.getOrder(id);
        assertEq(uint8(order.state), uint8(IMarketplaceEscrow.OrderState.Shipped));
        assertEq(order.deadline, block.timestamp + confirmWindow, "confirm deadline");
    }

    function testFuzz_markShipped_revertsAnyTimeAfterTheShipDeadline(uint32 shipWindow, uint256 lateBy) public {
        shipWindow = uint32(bound(shipWindow, minWindow, maxWindow));
        vm.prank(timelock);
        escrow.setWindows(shipWindow, LOCAL_CONFIRM_WINDOW, LOCAL_ARBITRATION_TIMEOUT);
        uint256 id = _order(false, 1 ether);
        uint64 deadline = escrow.getOrder(id).deadline;

        vm.warp(uint256(deadline) + (lateBy % 4 == 0 ? 1 : bound(lateBy, 1, 3650 days)));
        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlinePassed.selector, id, deadline));
        vm.prank(seller);
        escrow.markShipped(id);
    }

    function testFuzz_refundAfterTimeout_refundsInFullOnlyOnceTheShipDeadlinePassed(
        uint32 shipWindow,
        uint256 elapsed,
        uint96 amount,
        bool inToken
    ) public {
        shipWindow = uint32(bound(shipWindow, minWindow, maxWindow));
        uint256 price = bound(amount, 1, type(uint96).max);
        vm.prank(timelock);
        escrow.setWindows(shipWindow, LOCAL_CONFIRM_WINDOW, LOCAL_ARBITRATION_TIMEOUT);
        uint256 id = _order(inToken, price);
        uint64 deadline = escrow.getOrder(id).deadline;

        vm.warp(block.timestamp + _aroundDeadline(elapsed, shipWindow));
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlineNotReached.selector, id, deadline)
            );
            escrow.refundAfterTimeout(id);
            return;
        }
        escrow.refundAfterTimeout(id);
        address token = _token(inToken);
        assertEq(escrow.creditOf(buyer, token), price, "buyer refund");
        assertEq(escrow.creditOf(seller, token), 0, "seller credit");
        assertEq(escrow.creditOf(timelock, token), 0, "fee charged on a refund");
        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Refunded));
    }

    function testFuzz_completeAfterTimeout_completesOnlyOnceTheConfirmDeadlinePassed(
        uint32 confirmWindow,
        uint256 shippedAfter,
        uint256 elapsed
    ) public {
        confirmWindow = uint32(bound(confirmWindow, minWindow, maxWindow));
        vm.prank(timelock);
        escrow.setWindows(LOCAL_SHIP_WINDOW, confirmWindow, LOCAL_ARBITRATION_TIMEOUT);
        uint256 id = _order(false, 1 ether);
        vm.warp(block.timestamp + bound(shippedAfter, 0, LOCAL_SHIP_WINDOW));
        _ship(id);
        uint64 deadline = escrow.getOrder(id).deadline;

        vm.warp(block.timestamp + _aroundDeadline(elapsed, confirmWindow));
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlineNotReached.selector, id, deadline)
            );
            escrow.completeAfterTimeout(id);
            return;
        }
        escrow.completeAfterTimeout(id);
        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Completed));
        assertEq(escrow.creditOf(seller, address(0)), 1 ether - (1 ether * uint256(LOCAL_FEE_BPS)) / BPS);
    }

    function testFuzz_openDispute_worksOnlyUntilTheCurrentWindowEnds(
        uint32 shipWindow,
        uint32 confirmWindow,
        bool shippedFirst,
        bool bySeller,
        uint256 elapsed
    ) public {
        shipWindow = uint32(bound(shipWindow, minWindow, maxWindow));
        confirmWindow = uint32(bound(confirmWindow, minWindow, maxWindow));
        vm.prank(timelock);
        escrow.setWindows(shipWindow, confirmWindow, LOCAL_ARBITRATION_TIMEOUT);
        uint256 id = _order(false, 1 ether);
        if (shippedFirst) _ship(id);
        uint64 deadline = escrow.getOrder(id).deadline;
        uint256 window = shippedFirst ? confirmWindow : shipWindow;
        address disputant = bySeller ? seller : buyer;

        vm.warp(block.timestamp + _aroundDeadline(elapsed, window));
        if (block.timestamp > deadline) {
            vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlinePassed.selector, id, deadline));
            vm.prank(disputant);
            escrow.openDispute(id);
            return;
        }
        vm.prank(disputant);
        escrow.openDispute(id);
        IMarketplaceEscrow.OrderView memory order = escrow.getOrder(id);
        assertEq(uint8(order.state), uint8(IMarketplaceEscrow.OrderState.Disputed));
        assertEq(order.deadline, block.timestamp + LOCAL_ARBITRATION_TIMEOUT, "arbitration deadline");
        assertEq(order.shippedBeforeDispute, shippedFirst);
    }

    function testFuzz_rule_worksOnlyUntilTheArbitrationDeadline(
        uint32 arbitrationTimeout,
        uint256 elapsed,
        uint16 buyerBps
    ) public {
        arbitrationTimeout = uint32(bound(arbitrationTimeout, minArbitrationTimeout, maxArbitrationTimeout));
        uint16 split = uint16(bound(buyerBps, 0, BPS));
        vm.prank(timelock);
        escrow.setWindows(LOCAL_SHIP_WINDOW, LOCAL_CONFIRM_WINDOW, arbitrationTimeout);
        uint256 id = _order(false, 1 ether);
        _dispute(id, buyer);
        uint64 deadline = escrow.getOrder(id).deadline;

        vm.warp(block.timestamp + _aroundDeadline(elapsed, arbitrationTimeout));
        if (block.timestamp > deadline) {
            vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlinePassed.selector, id, deadline));
            vm.prank(arbiter);
            escrow.rule(id, split);
            return;
        }
        vm.prank(arbiter);
        escrow.rule(id, split);
        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Resolved));
    }

    function testFuzz_resolveAfterTimeout_appliesTheDefaultRulingOnlyOnceArbitrationTimedOut(
        uint32 arbitrationTimeout,
        uint256 elapsed,
        uint96 amount,
        uint16 feeBps,
        bool shippedFirst
    ) public {
        arbitrationTimeout = uint32(bound(arbitrationTimeout, minArbitrationTimeout, maxArbitrationTimeout));
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        vm.prank(timelock);
        escrow.setWindows(LOCAL_SHIP_WINDOW, LOCAL_CONFIRM_WINDOW, arbitrationTimeout);
        uint256 id = _order(true, price);
        if (shippedFirst) _ship(id);
        _dispute(id, seller);
        uint64 deadline = escrow.getOrder(id).deadline;

        vm.warp(block.timestamp + _aroundDeadline(elapsed, arbitrationTimeout));
        if (block.timestamp <= deadline) {
            vm.expectRevert(
                abi.encodeWithSelector(IMarketplaceEscrow.EscrowDeadlineNotReached.selector, id, deadline)
            );
            escrow.resolveAfterTimeout(id);
            return;
        }
        escrow.resolveAfterTimeout(id);
        // The default ruling: an unshipped order goes back to the buyer, a shipped one is split evenly.
        _assertSplit(id, true, price, fee, shippedFirst ? escrow.DEFAULT_SHIPPED_BUYER_BPS() : uint16(BPS));
    }

    function testFuzz_terms_snapshotSurvivesAnyLaterParameterChange(
        uint16 feeBefore,
        uint32[3] memory windowsBefore,
        uint16 feeAfter,
        uint32[3] memory windowsAfter,
        uint96 amount
    ) public {
        IMarketplaceEscrow.Terms memory before = _setTerms(feeBefore, windowsBefore);
        uint256 price = bound(amount, 1, type(uint96).max);
        uint256 completed = _order(false, price);
        uint256 disputed = _order(true, price);
        uint256 createdAt = block.timestamp;

        IMarketplaceEscrow.Terms memory later = _setTerms(feeAfter, windowsAfter);
        uint256 fresh = _order(false, price);

        _assertTerms(escrow.getOrder(completed).terms, before);
        _assertTerms(escrow.getOrder(disputed).terms, before);
        _assertTerms(escrow.getOrder(fresh).terms, later);
        assertEq(escrow.getOrder(completed).deadline, createdAt + before.shipWindow, "ship deadline");

        vm.warp(block.timestamp + before.shipWindow);
        _ship(completed);
        assertEq(escrow.getOrder(completed).deadline, block.timestamp + before.confirmWindow, "confirm deadline");
        _dispute(disputed, buyer);
        assertEq(escrow.getOrder(disputed).deadline, block.timestamp + before.arbitrationTimeout, "arbitration");

        vm.prank(buyer);
        escrow.confirmDelivery(completed);
        assertEq(escrow.creditOf(timelock, address(0)), (price * before.feeBps) / BPS, "fee at the old rate");
    }

    function testFuzz_setWindows_revertsForAnyWindowOutOfBounds(uint32 window, uint8 position) public {
        uint8 slot = uint8(bound(position, 0, 2));
        (uint32 min, uint32 max) =
            slot == 2 ? (minArbitrationTimeout, maxArbitrationTimeout) : (minWindow, maxWindow);
        vm.assume(window < min || window > max);
        uint32[3] memory windows = [LOCAL_SHIP_WINDOW, LOCAL_CONFIRM_WINDOW, LOCAL_ARBITRATION_TIMEOUT];
        windows[slot] = window;

        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowWindowOutOfBounds.selector, window, min, max));
        vm.prank(timelock);
        escrow.setWindows(windows[0], windows[1], windows[2]);

        IMarketplaceEscrow.Terms memory unchanged =
            IMarketplaceEscrow.Terms(LOCAL_FEE_BPS, LOCAL_SHIP_WINDOW, LOCAL_CONFIRM_WINDOW, LOCAL_ARBITRATION_TIMEOUT);
        _assertTerms(escrow.currentTerms(), unchanged);
    }

    function testFuzz_createOrder_rejectsARefTheSameBuyerUsed(bytes32 ref, uint96 firstAmount, uint96 secondAmount)
        public
    {
        uint256 first = _orderWithRef(buyer, false, bound(firstAmount, 1, type(uint96).max), ref);
        uint256 price = bound(secondAmount, 1, type(uint96).max);
        vm.deal(buyer, price);

        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowDuplicateRef.selector, buyer, ref, first));
        vm.prank(buyer);
        escrow.createOrder{value: price}(seller, address(0), price, ref);

        assertEq(escrow.orderIdOf(buyer, ref), first);
        assertEq(escrow.nextOrderId(), first + 1);
    }

    function testFuzz_createOrder_letsAnotherBuyerUseARefAlreadyTaken(
        bytes32 ref,
        uint96 firstAmount,
        uint96 secondAmount
    ) public {
        address squatter = makeAddr("squatter");
        uint256 squatted = _orderWithRef(squatter, false, bound(firstAmount, 1, type(uint96).max), ref);
        uint256 price = bound(secondAmount, 1, type(uint96).max);
        vm.deal(buyer, price);

        vm.prank(buyer);
        uint256 id = escrow.createOrder{value: price}(seller, address(0), price, ref);

        assertEq(id, squatted + 1);
        assertEq(escrow.orderIdOf(squatter, ref), squatted);
        assertEq(escrow.orderIdOf(buyer, ref), id);
        assertEq(escrow.getOrder(id).buyer, buyer);
        assertEq(escrow.getOrder(id).amount, price);
    }

    function testFuzz_createOrder_rejectsAnyAmountAboveUint96(uint256 amount) public {
        amount = bound(amount, uint256(type(uint96).max) + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowInvalidAmount.selector, amount));
        vm.prank(buyer);
        escrow.createOrder(seller, address(0), amount, _nextRef());
    }

    function testFuzz_createOrders_creditsEveryOrderOfTheBatchExactly(uint256 seed, uint8 count, bool inToken) public {
        uint256 n = bound(count, 1, 20);
        address[3] memory sellers = [seller, makeAddr("second seller"), makeAddr("third seller")];
        IMarketplaceEscrow.OrderRequest[] memory requests = new IMarketplaceEscrow.OrderRequest[](n);
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 word = uint256(keccak256(abi.encode(seed, i)));
            // Alternate small and full-width amounts so both rounding and large values meet in one batch.
            uint256 amount = bound(word >> 8, 1, word % 2 == 0 ? 1e6 : type(uint96).max);
            requests[i] = IMarketplaceEscrow.OrderRequest(sellers[word % 3], amount, _nextRef());
            total += amount;
        }
        address token = _token(inToken);
        uint256 escrowBefore = _balance(token, address(escrow));

        uint256[] memory ids;
        if (inToken) {
            usdc.mint(buyer, total);
            vm.prank(buyer);
            usdc.approve(address(escrow), total);
            vm.prank(buyer);
            ids = escrow.createOrders(token, requests);
        } else {
            vm.deal(buyer, total);
            vm.prank(buyer);
            ids = escrow.createOrders{value: total}(token, requests);
        }

        assertEq(_balance(token, address(escrow)) - escrowBefore, total, "escrow received the batch total");
        uint256[3] memory expectedCredits;
        uint256 expectedFees = 0;
        for (uint256 i = 0; i < n; ++i) {
            assertEq(escrow.orderIdOf(buyer, requests[i].ref), ids[i], "ref maps to its order");
            IMarketplaceEscrow.OrderView memory order = escrow.getOrder(ids[i]);
            assertEq(order.amount, requests[i].amount, "order amount");
            assertEq(order.seller, requests[i].seller, "order seller");
            vm.prank(requests[i].seller);
            escrow.markShipped(ids[i]);
            vm.prank(buyer);
            escrow.confirmDelivery(ids[i]);
            uint256 fee = (requests[i].amount * LOCAL_FEE_BPS) / BPS;
            expectedFees += fee;
            for (uint256 s = 0; s < 3; ++s) {
                if (sellers[s] == requests[i].seller) expectedCredits[s] += requests[i].amount - fee;
            }
        }
        uint256 credited = expectedFees;
        for (uint256 s = 0; s < 3; ++s) {
            assertEq(escrow.creditOf(sellers[s], token), expectedCredits[s], "seller credit");
            credited += expectedCredits[s];
        }
        assertEq(escrow.creditOf(timelock, token), expectedFees, "fees");
        assertEq(credited, total, "the batch is credited to the last unit");
    }

    function testFuzz_withdraw_sendsExactlyTheCredit(uint96 amount, uint16 feeBps, bool inToken, address to) public {
        vm.assume(to != address(0) && to != address(escrow) && to.code.length == 0);
        assumeNotPrecompile(to);
        assumeNotForgeAddress(to);
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        uint256 id = _order(inToken, price);
        _ship(id);
        vm.prank(buyer);
        escrow.confirmDelivery(id);
        address token = _token(inToken);
        uint256 credit = escrow.creditOf(seller, token);
        assertEq(credit, price - (price * fee) / BPS);
        uint256 toBefore = _balance(token, to);
        uint256 escrowBefore = _balance(token, address(escrow));

        vm.prank(seller);
        escrow.withdraw(token, to);

        assertEq(_balance(token, to) - toBefore, credit, "recipient received the credit");
        assertEq(escrowBefore - _balance(token, address(escrow)), credit, "escrow paid the credit");
        assertEq(escrow.creditOf(seller, token), 0);
        vm.expectRevert(abi.encodeWithSelector(IMarketplaceEscrow.EscrowNothingToWithdraw.selector, seller, token));
        vm.prank(seller);
        escrow.withdraw(token, to);
    }

    function testFuzz_withdrawFor_sendsTheTreasuryExactlyItsFees(uint96 amount, uint16 feeBps, bool inToken) public {
        uint256 price = bound(amount, 1, type(uint96).max);
        uint16 fee = _setFee(feeBps);
        vm.assume((price * fee) / BPS > 0);
        uint256 id = _order(inToken, price);
        _ship(id);
        vm.prank(buyer);
        escrow.confirmDelivery(id);
        address token = _token(inToken);
        uint256 treasuryBefore = _balance(token, timelock);

        vm.prank(makeAddr("keeper"));
        escrow.withdrawFor(timelock, token);

        assertEq(_balance(token, timelock) - treasuryBefore, (price * fee) / BPS);
        assertEq(escrow.creditOf(timelock, token), 0);
    }

    function test_createOrder_opensAnEthOrder_gasSnapshot() public {
        vm.deal(buyer, 1 ether);
        bytes32 ref = _nextRef();
        vm.prank(buyer);
        uint256 id = escrow.createOrder{value: 1 ether}(seller, address(0), 1 ether, ref);
        vm.snapshotGasLastCall(GAS_GROUP, "createOrder ETH");

        assertEq(escrow.orderIdOf(buyer, ref), id);
        assertEq(address(escrow).balance, 1 ether);
    }

    function test_createOrder_opensAnErc20Order_gasSnapshot() public {
        usdc.mint(buyer, 100e6);
        vm.prank(buyer);
        usdc.approve(address(escrow), 100e6);
        bytes32 ref = _nextRef();
        vm.prank(buyer);
        uint256 id = escrow.createOrder(seller, address(usdc), 100e6, ref);
        vm.snapshotGasLastCall(GAS_GROUP, "createOrder ERC-20");

        assertEq(escrow.orderIdOf(buyer, ref), id);
        assertEq(usdc.balanceOf(address(escrow)), 100e6);
    }

    function test_markShipped_shipsAFundedOrder_gasSnapshot() public {
        uint256 id = _order(false, 1 ether);
        vm.prank(seller);
        escrow.markShipped(id);
        vm.snapshotGasLastCall(GAS_GROUP, "markShipped");

        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Shipped));
    }

    function test_confirmDelivery_completesAShippedOrder_gasSnapshot() public {
        uint256 id = _order(false, 1 ether);
        _ship(id);
        vm.prank(buyer);
        escrow.confirmDelivery(id);
        vm.snapshotGasLastCall(GAS_GROUP, "confirmDelivery");

        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Completed));
    }

    function test_withdraw_paysTheSellersEthCredit_gasSnapshot() public {
        uint256 id = _order(false, 1 ether);
        _ship(id);
        vm.prank(buyer);
        escrow.confirmDelivery(id);
        uint256 credit = escrow.creditOf(seller, address(0));
        vm.prank(seller);
        escrow.withdraw(address(0), seller);
        vm.snapshotGasLastCall(GAS_GROUP, "withdraw");

        assertEq(seller.balance, credit);
        assertEq(escrow.creditOf(seller, address(0)), 0);
    }

    /// @dev Seconds to wait from the start of a `window`: exactly the window or one second more a quarter of the
    /// time each, since the boundary is where an off-by-one hides; otherwise anywhere up to twice the window.
    function _aroundDeadline(uint256 seed, uint256 window) private pure returns (uint256) {
        if (seed % 4 == 0) return window;
        if (seed % 4 == 1) return window + 1;
        return bound(seed, 0, 2 * window);
    }

    function _assertSplit(uint256 id, bool inToken, uint256 price, uint16 fee, uint16 buyerBps) private view {
        address token = _token(inToken);
        uint256 buyerCredit = escrow.creditOf(buyer, token);
        uint256 sellerCredit = escrow.creditOf(seller, token);
        uint256 feeCredit = escrow.creditOf(timelock, token);
        uint256 buyerShare = (price * buyerBps) / BPS;
        assertEq(buyerCredit + sellerCredit + feeCredit, price, "buyer + seller + fee != amount");
        assertEq(buyerCredit, buyerShare, "the buyer's share carries no fee");
        assertEq(feeCredit, ((price - buyerShare) * fee) / BPS, "fee is charged on the seller's share only");
        assertLe(feeCredit, ((price - buyerShare) * maxFeeBps) / BPS, "fee above the cap");
        assertEq(uint8(escrow.getOrder(id).state), uint8(IMarketplaceEscrow.OrderState.Resolved));
    }

    function _assertTerms(IMarketplaceEscrow.Terms memory actual, IMarketplaceEscrow.Terms memory expected)
        private
        pure
    {
        assertEq(actual.feeBps, expected.feeBps, "feeBps");
        assertEq(actual.shipWindow, expected.shipWindow, "shipWindow");
        assertEq(actual.confirmWindow, expected.confirmWindow, "confirmWindow");
        assertEq(actual.arbitrationTimeout, expected.arbitrationTimeout, "arbitrationTimeout");
    }

    function _setFee(uint256 feeBps) private returns (uint16 fee) {
        fee = uint16(bound(feeBps, 0, maxFeeBps));
        vm.prank(timelock);
        escrow.setFee(fee);
    }

    function _setTerms(uint16 feeBps, uint32[3] memory windows)
        private
        returns (IMarketplaceEscrow.Terms memory terms)
    {
        terms = IMarketplaceEscrow.Terms(
            _setFee(feeBps),
            uint32(bound(windows[0], minWindow, maxWindow)),
            uint32(bound(windows[1], minWindow, maxWindow)),
            uint32(bound(windows[2], minArbitrationTimeout, maxArbitrationTimeout))
        );
        vm.prank(timelock);
        escrow.setWindows(terms.shipWindow, terms.confirmWindow, terms.arbitrationTimeout);
    }

    function _order(bool inToken, uint256 amount) private returns (uint256) {
        return _orderWithRef(buyer, inToken, amount, _nextRef());
    }

    function _orderWithRef(address from, bool inToken, uint256 amount, bytes32 ref) private returns (uint256 id) {
        if (inToken) {
            usdc.mint(from, amount);
            vm.prank(from);
            usdc.approve(address(escrow), amount);
            vm.prank(from);
            return escrow.createOrder(seller, address(usdc), amount, ref);
        }
        vm.deal(from, amount);
        vm.prank(from);
        return escrow.createOrder{value: amount}(seller, address(0), amount, ref);
    }

    function _ship(uint256 id) private {
        vm.prank(seller);
        escrow.markShipped(id);
    }

    function _dispute(uint256 id, address disputant) private {
        vm.prank(disputant);
        escrow.openDispute(id);
    }

    function _nextRef() private returns (bytes32) {
        return keccak256(abi.encode("fuzz order", ++refNonce));
    }

    function _token(bool inToken) private view returns (address) {
        return inToken ? address(usdc) : address(0);
    }

    function _balance(address token, address account) private view returns (uint256) {
        return token == address(0) ? account.balance : usdc.balanceOf(account);
    }
}
