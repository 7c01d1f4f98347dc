// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title ReentrantReceiver
 * @notice For tests and local chains only: an account, used as a buyer or a seller, that calls the escrow through
 * {execute} and, once armed, calls back into a target from `receive()` the next time it is paid in ETH. The call is
 * made once; its failure either makes `receive()` revert with the call's revert data or is only reported in
 * {ReentryAttempted}.
 */
contract ReentrantReceiver {
    /// @notice The armed call to `target` returned `success` and `result` (the revert data on failure).
    event ReentryAttempted(address indexed target, bool success, bytes result);

    address private _target;
    bytes private _data;
    bool private _bubble;

    /// @notice Calls `target` with `data` and the ETH sent, bubbling up any revert.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        return Address.functionCallWithValue(target, data, msg.value);
    }

    /**
     * @notice Arms the next ETH payment to call `target` with `data`.
     * @param bubble True to reject the payment with the call's revert data when it fails, false to swallow it.
     */
    function arm(address target, bytes calldata data, bool bubble) external {
        _target = target;
        _data = data;
        _bubble = bubble;
    }

    // Re-entering from receive() is what this mock is for.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        address target = _target;
        if (target == address(0)) return;
        bytes memory data = _data;
        bool bubble = _bubble;
        delete _target;
        delete _data;
        delete _bubble;
        if (bubble) {
            emit ReentryAttempted(target, true, Address.functionCall(target, data));
        } else {
            // The raw call is the point: a failure is recorded, not propagated.
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory result) = target.call(data);
            emit ReentryAttempted(target, success, result);
        }
    }
}
