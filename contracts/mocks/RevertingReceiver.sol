// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title RevertingReceiver
 * @notice For tests and local chains only: an account that refuses every ETH payment, used as a buyer or a seller
 * that calls the escrow through {execute}.
 */
contract RevertingReceiver {
    /// @notice The contract refuses ETH; `amount` wei were sent.
    error RevertingReceiverRejected(uint256 amount);

    /// @notice Calls `target` with `data` and the ETH sent, bubbling up any revert.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        return Address.functionCallWithValue(target, data, msg.value);
    }

    receive() external payable {
        revert RevertingReceiverRejected(msg.value);
    }
}
