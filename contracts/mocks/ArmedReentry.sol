// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title ArmedReentry
 * @notice For tests and local chains only: the part the hostile mocks share. Once armed, the next {_reenter} calls
 * a target once; its failure is either bubbled up or only reported in {ReentryAttempted}.
 */
abstract contract ArmedReentry {
    /// @notice The armed call to `target` returned `success` and `result` (the revert data on failure).
    event ReentryAttempted(address indexed target, bool success, bytes result);

    address private _target;
    bytes private _data;
    bool private _bubble;

    /**
     * @notice Arms the next re-entry to call `target` with `data`.
     * @param bubble True to fail the surrounding call with the re-entry's revert data, false to swallow it.
     */
    function arm(address target, bytes calldata data, bool bubble) external {
        _target = target;
        _data = data;
        _bubble = bubble;
    }

    function _reenter() internal {
        address target = _target;
        if (target == address(0)) return;
        bytes memory data = _data;
        bool bubble = _bubble;
        // Disarmed before the call, so that whatever the target does in return cannot loop back here.
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
