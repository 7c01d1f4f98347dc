// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";

/**
 * @title MockPriceFeed
 * @notice A stand-in for a Chainlink price feed on local chains only: its owner sets each round's answer (and, to
 * rehearse a feed that went stale or a round that never completed, its timestamps). Rounds are numbered from 1 and
 * every round is answered in itself. Never deploy it to a live network.
 */
contract MockPriceFeed is IAggregatorV3, Ownable {
    /// @notice A round was asked for that the feed never had.
    error MockPriceFeedUnknownRound(uint80 roundId);

    /// @notice A round's update time is before its start, which no real round has.
    error MockPriceFeedUpdatedBeforeStart(uint256 startedAt, uint256 updatedAt);

    /// @notice A new round was recorded (Chainlink's AggregatorInterface event).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
    }

    uint8 private immutable _decimals;
    string private _description;
    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    /**
     * @param decimals_ The decimals of every answer.
     * @param description_ What the feed prices, e.g. "ETH / USD".
     * @param initialAnswer The first round's answer, recorded at deployment.
     */
    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) Ownable(msg.sender) {
        _decimals = decimals_;
        _description = description_;
        _record(initialAnswer, block.timestamp, block.timestamp);
    }

    /// @notice Records a new round answered now. Emits {AnswerUpdated}.
    function setAnswer(int256 answer) external onlyOwner {
        _record(answer, block.timestamp, block.timestamp);
    }

    /**
     * @notice Records a new round with the given times: an old `updatedAt` rehearses a stale feed, 0 a round that
     * never completed. Emits {AnswerUpdated}. Reverts with {MockPriceFeedUpdatedBeforeStart} when a completed round
     * (`updatedAt` not 0) was updated before it started.
     */
    function setRound(int256 answer, uint256 startedAt, uint256 updatedAt) external onlyOwner {
        if (updatedAt != 0 && updatedAt < startedAt) revert MockPriceFeedUpdatedBeforeStart(startedAt, updatedAt);
        _record(answer, startedAt, updatedAt);
    }

    /// @inheritdoc IAggregatorV3
    function decimals() external view returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc IAggregatorV3
    function description() external view returns (string memory) {
        return _description;
    }

    /// @inheritdoc IAggregatorV3
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc IAggregatorV3
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId == 0 || roundId > _latestRound) revert MockPriceFeedUnknownRound(roundId);
        return _roundData(roundId);
    }

    /// @inheritdoc IAggregatorV3
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        // The constructor records the first round, so there always is a latest one.
        return _roundData(_latestRound);
    }

    function _roundData(uint80 roundId) private view returns (uint80, int256, uint256, uint256, uint80) {
        Round storage round = _rounds[roundId];
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function _record(int256 answer, uint256 startedAt, uint256 updatedAt) private {
        uint80 roundId = _latestRound + 1;
        _latestRound = roundId;
        _rounds[roundId] = Round(answer, SafeCast.toUint64(startedAt), SafeCast.toUint64(updatedAt));
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
