// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAggregatorV3
 * @notice The read side of a Chainlink price feed (`AggregatorV3Interface`), written out here so the local mock and
 * anything reading a live feed share one shape. A price is `answer / 10**decimals()` units of the quote currency per
 * unit of the base asset (for ETH / USD with 8 decimals, 3000 USD is 300000000000).
 */
interface IAggregatorV3 {
    /// @notice How many decimals `answer` carries.
    function decimals() external view returns (uint8);

    /// @notice What the feed prices, e.g. "ETH / USD".
    function description() external view returns (string memory);

    /// @notice The version of the aggregator's implementation.
    function version() external view returns (uint256);

    /// @notice One round of the feed.
    /// @param roundId The round asked for.
    /// @return roundId The round's id.
    /// @return answer The price in that round, with {decimals} decimals.
    /// @return startedAt When the round started.
    /// @return updatedAt When the answer was last updated; 0 for a round that never completed.
    /// @return answeredInRound The round in which the answer was computed.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round, in the same shape as {getRoundData}.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
