// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {MockPriceFeed} from "../../contracts/mocks/MockPriceFeed.sol";

/// @dev Fuzz tests of the mock feed: whatever its owner records is what latestRoundData and getRoundData report.
contract MockPriceFeedTest is Test {
    int256 private constant INITIAL_ANSWER = 3_000e8;

    MockPriceFeed private feed;

    function setUp() public {
        vm.warp(1_750_000_000);
        feed = new MockPriceFeed(8, "ETH / USD", INITIAL_ANSWER);
    }

    function testFuzz_setRound_isReportedAsTheLatestRound(int256 answer, uint64 startedAt, uint64 updatedAt) public {
        vm.assume(updatedAt == 0 || updatedAt >= startedAt);
        feed.setRound(answer, startedAt, updatedAt);
        (uint80 roundId, int256 latest, uint256 started, uint256 updated, uint80 answeredInRound) =
            feed.latestRoundData();
        assertEq(roundId, 2);
        assertEq(latest, answer);
        assertEq(started, startedAt);
        assertEq(updated, updatedAt);
        assertEq(answeredInRound, roundId);
        (, int256 first,,,) = feed.getRoundData(1);
        assertEq(first, INITIAL_ANSWER);
    }

    function testFuzz_setRound_revertsWhenUpdatedBeforeStart(uint64 startedAt, uint64 updatedAt) public {
        vm.assume(updatedAt != 0 && updatedAt < startedAt);
        vm.expectRevert(
            abi.encodeWithSelector(MockPriceFeed.MockPriceFeedUpdatedBeforeStart.selector, startedAt, updatedAt)
        );
        feed.setRound(1, startedAt, updatedAt);
    }

    function testFuzz_setAnswer_numbersRoundsInOrder(int256[4] calldata answers) public {
        for (uint256 i = 0; i < answers.length; ++i) {
            vm.warp(block.timestamp + 60);
            feed.setAnswer(answers[i]);
            (uint80 roundId, int256 answer,, uint256 updatedAt,) = feed.latestRoundData();
            assertEq(roundId, i + 2);
            assertEq(answer, answers[i]);
            assertEq(updatedAt, block.timestamp);
        }
    }

    function test_setAnswer_revertsForAnyoneButTheOwner() public {
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", stranger));
        feed.setAnswer(1);
    }
}
