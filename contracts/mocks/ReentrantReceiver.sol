// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {ArmedReentry} from "./ArmedReentry.sol";

/**
 * @title ReentrantReceiver
 * @notice For tests and local chains only: an account, used as a buyer or a seller, that calls the escrow through
 * {execute} and, once armed, calls back into a target from `receive()` the next time it is paid in ETH.
 */
contract ReentrantReceiver is ArmedReentry {
    /// @notice Calls `target` with `data` and the ETH sent, bubbling up any revert.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        return Address.functionCallWithValue(target, data, msg.value);
    }

    receive() external payable {
        _reenter();
    }
}
